"""ex3 (dropout): Inverted dropout / Dropout invertido.

Fill in the functions, then run `grader check ex3` in this folder.
Completa las funciones y ejecuta `grader check ex3` en esta carpeta.
"""

# # Exercise 3 — Inverted dropout
#
# Dropout switches off each hidden unit independently during training, so the
# network cannot rely on any single unit (a cheap way to average many thinned
# networks). In this course **`p` is the probability of *keeping* a unit**.
#
# *Inverted* dropout scales the kept units by `1/p` during training, so that
# the expected activation is unchanged, `E[out] = a`, and the network needs no
# change at test time:
#
# - training: `mask = (U < p) / p` with `U ~ Uniform[0, 1)` of the shape of `a`, and `out = a * mask`;
# - test: `out = a`, and no mask (`None`).
#
# Backward, the gradient flows only through the kept units, scaled like them:
# `∂J/∂a = dout * mask`.
#
# Shapes: `a`, `mask`, `out`, `dout` are all `(n_k, m)` — one column per example.
#
# ---
#
# *Español:*
#
# # Ejercicio 3 — Dropout invertido
#
# Dropout apaga cada unidad oculta de forma independiente durante el
# entrenamiento, de modo que la red no puede depender de ninguna unidad concreta
# (una forma barata de promediar muchas redes «adelgazadas»). En este curso
# **`p` es la probabilidad de *conservar* una unidad**.
#
# El dropout *invertido* escala por `1/p` las unidades conservadas durante el
# entrenamiento, de modo que la activación esperada no cambia, `E[out] = a`, y la
# red no necesita ningún cambio en test:
#
# - entrenamiento: `mask = (U < p) / p` con `U ~ Uniforme[0, 1)` de la forma de `a`, y `out = a * mask`;
# - test: `out = a`, y sin máscara (`None`).
#
# Hacia atrás, el gradiente solo pasa por las unidades conservadas, escalado igual
# que ellas: `∂J/∂a = dout * mask`.
#
# Formas: `a`, `mask`, `out`, `dout` son todas `(n_k, m)` — una columna por ejemplo.

import numpy as np

# ## `dropout_forward(a, p, train=True, rng=None) -> (out, mask)`
#
# Draw the uniform numbers from `rng` (a `numpy.random.Generator`; when it is
# `None`, use `np.random.default_rng()`), so that a seeded generator gives the
# same mask every time.
#
# ---
#
# *Español:*
#
# ## `dropout_forward(a, p, train=True, rng=None) -> (out, mask)`
#
# Genera los números uniformes con `rng` (un `numpy.random.Generator`; si es
# `None`, usa `np.random.default_rng()`), para que un generador con semilla dé
# siempre la misma máscara.

def dropout_forward(a, p, train=True, rng=None):
    """Inverted dropout.

    a: (n_k, m) activations; p: keep probability, 0 < p <= 1;
    train: True in training, False at test time; rng: numpy Generator or None.
    Returns (out, mask): out (n_k, m); mask (n_k, m) with values 0 or 1/p,
    or None at test time.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex3   (cell dropout_forward)

# ## `dropout_backward(dout, mask) -> da`
#
# `dout` is `∂J/∂out`, of shape `(n_k, m)`. With `mask = None` (test mode) the
# gradient passes unchanged.
#
# ---
#
# *Español:*
#
# ## `dropout_backward(dout, mask) -> da`
#
# `dout` es `∂J/∂out`, de forma `(n_k, m)`. Con `mask = None` (modo test) el
# gradiente pasa sin cambios.

def dropout_backward(dout, mask):
    """dout: (n_k, m) upstream gradient; mask from dropout_forward. Returns ∂J/∂a, (n_k, m)."""
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex3   (cell dropout_backward)
