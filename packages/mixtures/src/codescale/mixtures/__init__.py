"""codescale.mixtures"""
