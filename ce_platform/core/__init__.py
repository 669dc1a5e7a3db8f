"""Pieces every feature shares: the model base, errors, access decorators, audit, mail."""
