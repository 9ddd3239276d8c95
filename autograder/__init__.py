"""nn-grader: the autograder engine for the feedforward-networks course.

Importing this package is cheap: it never imports TensorFlow or nbgrader
(those load only inside the commands that need them).
"""
__version__ = "0.1.0"
