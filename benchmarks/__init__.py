"""Accord benchmarks (`make bench`): each module's ``run(cache_dir)`` returns figures and ratios."""
