"""What the numbers say: frequency joined with accuracy (`correlate`), the HTML report, and
augmentation recipes."""
