"""codescale.titan_runner"""
