"""The catalogue of function shapes the builder draws from; ``compose.SHAPES`` lists them in draw order."""
