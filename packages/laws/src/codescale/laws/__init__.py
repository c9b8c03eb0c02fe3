"""codescale.laws"""
