"""Load and scale benchmarks (`make bench`); their results live in bench/results/."""
