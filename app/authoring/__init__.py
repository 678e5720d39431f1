"""Trainers' tools: checking and importing courses."""
