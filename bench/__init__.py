"""The benchmark harness: `make bench` measures every budget of PRODUCT §6."""
