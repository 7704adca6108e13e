"""Shared test support: peers, servers, databases."""
