"""codescale.compiler"""
