"""ex4 (weight-decay): L2 and L1 regularization / Regularización L2 y L1.

Fill in the functions, then run `grader check ex4` in this folder.
Completa las funciones y ejecuta `grader check ex4` en esta carpeta.
"""

# # Exercise 4 — L2 and L1 regularization (weight decay)
#
# A network with many weights can fit the noise of its training set
# (high variance). Regularization adds to the cost `J` a penalty that grows
# with the size of the weights, so that training prefers small weights:
#
# - **L2** (weight decay): `J_reg = J + λ Σ_k Σ_ij (W(k)_ij)²`
# - **L1**: `J_reg = J + λ Σ_k Σ_ij |W(k)_ij|`
#
# The sums run over the **weight matrices** `W(k)` of every layer `k`, each of
# shape `(n_k, n_{k−1})`; the biases `b(k)`, of shape `(n_k, 1)`, are **not**
# penalised (a bias does not multiply any input, so it adds little
# flexibility, and forcing biases towards zero can make the network underfit).
#
# With the L2 penalty the gradient of `J_reg` with respect to `W(k)` is the
# gradient of `J` plus `2λW(k)`. Writing `dW = ∂J/∂W(k) = δ(k) a(k−1)ᵀ` (from
# backpropagation), one step of gradient descent with learning rate `η` is
#
#     W ← W − η (dW + 2λW) = W (1 − 2ηλ) − η δ aᵀ
#
# so every step first **shrinks** the weights by the factor `(1 − 2ηλ)`: that
# is why L2 is called *weight decay*. The biases take the plain step
# `b ← b − η db`.
#
# With L1 the (sub)gradient of `λ Σ |w|` is `λ sign(W)` (with `sign(0) = 0`), so
# every step moves each weight a constant `ηλ` towards zero:
# `W ← W − ηλ sign(W) − η dW`. This drives many weights to (almost) zero.
#
# Shapes: `W`, `dW` are `(n_k, n_{k−1})`; `b`, `db` are `(n_k, 1)`; `λ = lam ≥ 0`
# and `η = eta > 0` are numbers. The grader passes copies of its arrays: your
# functions may modify them in place and may return them.
#
# ---
#
# *Español:*
#
# # Ejercicio 4 — Regularización L2 y L1 (decaimiento de pesos)
#
# Una red con muchos pesos puede ajustar el ruido de su conjunto de
# entrenamiento (alta varianza). La regularización añade al coste `J` una
# penalización que crece con el tamaño de los pesos, para que el entrenamiento
# prefiera pesos pequeños:
#
# - **L2** (decaimiento de pesos): `J_reg = J + λ Σ_k Σ_ij (W(k)_ij)²`
# - **L1**: `J_reg = J + λ Σ_k Σ_ij |W(k)_ij|`
#
# Las sumas recorren las **matrices de pesos** `W(k)` de cada capa `k`, cada una
# de forma `(n_k, n_{k−1})`; los sesgos `b(k)`, de forma `(n_k, 1)`, **no** se
# penalizan (un sesgo no multiplica ninguna entrada, así que apenas añade
# flexibilidad, y empujar los sesgos hacia cero puede hacer que la red
# infraajuste).
#
# Con la penalización L2, el gradiente de `J_reg` respecto a `W(k)` es el
# gradiente de `J` más `2λW(k)`. Si `dW = ∂J/∂W(k) = δ(k) a(k−1)ᵀ` (de la
# retropropagación), un paso de descenso por gradiente con tasa de aprendizaje
# `η` es
#
#     W ← W − η (dW + 2λW) = W (1 − 2ηλ) − η δ aᵀ
#
# de modo que cada paso primero **encoge** los pesos por el factor `(1 − 2ηλ)`:
# por eso L2 se llama *decaimiento de pesos*. Los sesgos dan el paso normal
# `b ← b − η db`.
#
# Con L1 el (sub)gradiente de `λ Σ |w|` es `λ sign(W)` (con `sign(0) = 0`), así
# que cada paso acerca cada peso a cero una cantidad constante `ηλ`:
# `W ← W − ηλ sign(W) − η dW`. Esto lleva muchos pesos a (casi) cero.
#
# Formas: `W`, `dW` son `(n_k, n_{k−1})`; `b`, `db` son `(n_k, 1)`; `λ = lam ≥ 0`
# y `η = eta > 0` son números. El corrector te pasa copias de sus arrays: tus
# funciones pueden modificarlos en el sitio y devolverlos.

import numpy as np

# ## `l2_penalty(weights, lam) -> float`
#
# `weights` is a **list** of weight matrices `[W(1), W(2), …]` of different
# shapes (the caller leaves the biases out). Return `λ Σ_k Σ_ij (W(k)_ij)²` as a
# number: square every entry, sum over each matrix and over the list, then
# multiply by `λ` (no `½`, no square root).
#
# ---
#
# *Español:*
#
# ## `l2_penalty(weights, lam) -> float`
#
# `weights` es una **lista** de matrices de pesos `[W(1), W(2), …]` de formas
# distintas (quien llama deja fuera los sesgos). Devuelve
# `λ Σ_k Σ_ij (W(k)_ij)²` como un número: eleva al cuadrado cada elemento, suma
# sobre cada matriz y sobre la lista, y multiplica por `λ` (sin `½` ni raíz
# cuadrada).

def l2_penalty(weights, lam):
    """L2 penalty over a list of weight matrices.

    weights: list of arrays W(k), each (n_k, n_{k-1}); lam: λ >= 0.
    Returns the float λ Σ_k Σ_ij W(k)_ij².
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# ## `l2_grad(W, lam) -> dW_reg`
#
# The gradient of the penalty `λ Σ_ij W_ij²` with respect to one matrix `W`:
# `2λW`, of the shape of `W`.
#
# ---
#
# *Español:*
#
# ## `l2_grad(W, lam) -> dW_reg`
#
# El gradiente de la penalización `λ Σ_ij W_ij²` respecto a una matriz `W`:
# `2λW`, de la forma de `W`.

def l2_grad(W, lam):
    """W: (n_k, n_{k-1}); lam: λ. Returns ∂(λ Σ W²)/∂W = 2λW, (n_k, n_{k-1})."""
    # YOUR CODE HERE
    raise NotImplementedError()

# ## `sgd_weight_decay_step(W, dW, eta, lam) -> W_new`
#
# One gradient-descent step on the regularised cost, where `dW = ∂J/∂W` is the
# gradient of the cost **without** the penalty:
# `W_new = W (1 − 2ηλ) − η dW`. Mind the factor 2 (it comes from the
# derivative of `w²`) and the sign: the weights shrink, `1 − 2ηλ < 1`.
#
# ---
#
# *Español:*
#
# ## `sgd_weight_decay_step(W, dW, eta, lam) -> W_new`
#
# Un paso de descenso por gradiente sobre el coste regularizado, donde
# `dW = ∂J/∂W` es el gradiente del coste **sin** la penalización:
# `W_new = W (1 − 2ηλ) − η dW`. Atención al factor 2 (viene de la derivada de
# `w²`) y al signo: los pesos se encogen, `1 − 2ηλ < 1`.

def sgd_weight_decay_step(W, dW, eta, lam):
    """L2-regularised SGD step.

    W, dW: (n_k, n_{k-1}), dW the gradient of the unregularised cost;
    eta: learning rate η; lam: λ. Returns W (1 − 2ηλ) − η dW, (n_k, n_{k-1}).
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex4   (cell l2)

# ## `l1_penalty(weights, lam) -> float`
#
# Like `l2_penalty`, with absolute values instead of squares:
# `λ Σ_k Σ_ij |W(k)_ij|` over the list of weight matrices.
#
# ---
#
# *Español:*
#
# ## `l1_penalty(weights, lam) -> float`
#
# Como `l2_penalty`, con valores absolutos en lugar de cuadrados:
# `λ Σ_k Σ_ij |W(k)_ij|` sobre la lista de matrices de pesos.

def l1_penalty(weights, lam):
    """L1 penalty over a list of weight matrices.

    weights: list of arrays W(k), each (n_k, n_{k-1}); lam: λ >= 0.
    Returns the float λ Σ_k Σ_ij |W(k)_ij|.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# ## `sgd_l1_step(W, dW, eta, lam) -> W_new`
#
# One gradient-descent step on the L1-regularised cost:
# `W_new = W − ηλ sign(W) − η dW`. Use `np.sign`, which gives `sign(0) = 0`
# (a weight that is exactly zero is not pushed by the penalty), and take the
# sign of the **weights**, not of the gradient.
#
# ---
#
# *Español:*
#
# ## `sgd_l1_step(W, dW, eta, lam) -> W_new`
#
# Un paso de descenso por gradiente sobre el coste con regularización L1:
# `W_new = W − ηλ sign(W) − η dW`. Usa `np.sign`, que da `sign(0) = 0` (un peso
# exactamente cero no recibe empuje de la penalización), y toma el signo de los
# **pesos**, no del gradiente.

def sgd_l1_step(W, dW, eta, lam):
    """L1-regularised SGD step.

    W, dW: (n_k, n_{k-1}), dW the gradient of the unregularised cost;
    eta: learning rate η; lam: λ. Returns W − ηλ sign(W) − η dW, (n_k, n_{k-1}).
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex4   (cell l1)

# ## `regularized_update(params, grads, eta, lam) -> params`
#
# One L2-regularised step for a whole network. `params = [(W1, b1), (W2, b2), …]`
# and `grads = [(dW1, db1), (dW2, db2), …]` (gradients of the unregularised
# cost, as `mlp_backward` returns them). For every layer:
#
# - the weights decay: `W ← W (1 − 2ηλ) − η dW` (you may call your `sgd_weight_decay_step`);
# - the biases do **not**: `b ← b − η db`.
#
# Return the updated parameters in the same form: a list with one `(W, b)` pair
# per layer, in the order of `params`.
#
# ---
#
# *Español:*
#
# ## `regularized_update(params, grads, eta, lam) -> params`
#
# Un paso con regularización L2 para toda una red.
# `params = [(W1, b1), (W2, b2), …]` y `grads = [(dW1, db1), (dW2, db2), …]`
# (gradientes del coste sin regularizar, como los devuelve `mlp_backward`).
# En cada capa:
#
# - los pesos decaen: `W ← W (1 − 2ηλ) − η dW` (puedes llamar a tu `sgd_weight_decay_step`);
# - los sesgos **no**: `b ← b − η db`.
#
# Devuelve los parámetros actualizados con la misma forma: una lista con un par
# `(W, b)` por capa, en el orden de `params`.

def regularized_update(params, grads, eta, lam):
    """One L2-regularised SGD step on a whole network.

    params: list of (W, b) pairs, W (n_k, n_{k-1}), b (n_k, 1);
    grads: list of (dW, db) pairs of the same shapes; eta: η; lam: λ.
    Returns a list of (W (1 − 2ηλ) − η dW, b − η db) pairs, one per layer.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex4   (cell regularized_update)
