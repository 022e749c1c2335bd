"""Partner bank information for Mexican and Dominican ramps (seed 002)."""
