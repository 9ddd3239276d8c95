"""ex5 (optimizers): Optimizers: momentum, Nesterov, AdaGrad, RMSProp, Adam / Optimizadores: momento, Nesterov, AdaGrad, RMSProp, Adam.

Fill in the functions, then run `grader check ex5` in this folder.
Completa las funciones y ejecuta `grader check ex5` en esta carpeta.
"""

# # Exercise 5 — Optimizers: momentum, Nesterov, AdaGrad, RMSProp, Adam
#
# Training updates every weight matrix `W(k)` (shape `(n_k, n_{k−1})`) and bias
# `b(k)` (shape `(n_k, 1)`) with the gradient of the mean loss `J` over the `m`
# examples of a mini-batch. Plain gradient descent takes a step against the
# gradient; the rules of this exercise change *how far* and *in which
# direction* that step goes, using a little memory of past gradients.
#
# Every rule has the same interface (as in CS231n's `optim.py`):
#
#     next_w, config = update(w, dw, config=None)
#
# - `w`: the current parameters, any shape (the grader uses 2-D arrays such as `(3, 4)`);
# - `dw`: `∂J/∂w`, the shape of `w` (written `g` below);
# - `config`: a `dict` with the **hyper-parameters** (`learning_rate`, `momentum`,
#   `decay_rate`, `epsilon`, `beta1`, `beta2`) and the **state** the rule carries
#   from one step to the next (`velocity`, `cache`, `m`, `v`, `t`).
#
# Fill missing defaults with `config.setdefault(key, value)` (so a value passed
# in wins), create missing state as zeros shaped like `w` (`np.zeros_like(w)`),
# write the new state back into `config`, and return `(next_w, config)`. The
# caller passes the returned `config` to the next call. You may update `w` in
# place and return it.
#
# | rule | update | defaults |
# |---|---|---|
# | `sgd` | `w -= lr*g` | learning_rate 0.01 |
# | `sgd_momentum` | `velocity = mu*velocity - lr*g; w += velocity` | learning_rate 0.01, momentum 0.9 |
# | `sgd_nesterov` | `velocity = mu*velocity - lr*g; w += mu*velocity - lr*g` | learning_rate 0.01, momentum 0.9 |
# | `adagrad` | `cache += g**2; w -= lr*g/(sqrt(cache)+epsilon)` | learning_rate 0.001, epsilon 1e-7 |
# | `rmsprop` | `cache = decay_rate*cache + (1-decay_rate)*g**2; w -= lr*g/(sqrt(cache)+epsilon)` | learning_rate 0.001, decay_rate 0.9, epsilon 1e-7 |
# | `adam` | `t += 1; m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g**2; m_hat = m/(1-beta1**t); v_hat = v/(1-beta2**t); w -= lr*m_hat/(sqrt(v_hat)+epsilon)` | learning_rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7 |
#
# Here `lr = config["learning_rate"]` and `mu = config["momentum"]`. All state
# starts at zeros; Adam's step counter `t` starts at 0 and is incremented
# **before** it is used, so the first step uses `t = 1` and after `n` calls
# `config["t"] == n`.
#
# Keras writes some rules slightly differently — ε *inside* the square root for
# AdaGrad and RMSProp (`lr*g/sqrt(cache+epsilon)`), and Adam's bias correction
# folded into the step size (`alpha = lr*sqrt(1-beta2**t)/(1-beta1**t);
# w -= alpha*m/(sqrt(v)+epsilon)`). The grader accepts either form for each
# rule (keep one form for the whole rule) and tells you which one it recognised.
# AdaGrad's `cache` starts at zeros here (Keras starts its accumulator at 0.1:
# that is *not* accepted).
#
# ---
#
# *Español:*
#
# # Ejercicio 5 — Optimizadores: momento, Nesterov, AdaGrad, RMSProp, Adam
#
# El entrenamiento actualiza cada matriz de pesos `W(k)` (forma `(n_k, n_{k−1})`)
# y cada sesgo `b(k)` (forma `(n_k, 1)`) con el gradiente de la pérdida media `J`
# sobre los `m` ejemplos de un minilote. El descenso por gradiente simple da un
# paso en contra del gradiente; las reglas de este ejercicio cambian *cuánto* y
# *hacia dónde* va ese paso usando algo de memoria de los gradientes pasados.
#
# Todas las reglas tienen la misma interfaz (como en `optim.py` de CS231n):
#
#     next_w, config = update(w, dw, config=None)
#
# - `w`: los parámetros actuales, de cualquier forma (el corrector usa arrays 2-D como `(3, 4)`);
# - `dw`: `∂J/∂w`, con la forma de `w` (abajo `g`);
# - `config`: un `dict` con los **hiperparámetros** (`learning_rate`, `momentum`,
#   `decay_rate`, `epsilon`, `beta1`, `beta2`) y el **estado** que la regla lleva
#   de un paso al siguiente (`velocity`, `cache`, `m`, `v`, `t`).
#
# Rellena los valores por defecto que falten con `config.setdefault(clave, valor)`
# (así gana un valor que se pase), crea el estado que falte como ceros con la
# forma de `w` (`np.zeros_like(w)`), guarda el estado nuevo en `config` y
# devuelve `(next_w, config)`. Quien llama pasa el `config` devuelto a la
# siguiente llamada. Puedes actualizar `w` en el sitio y devolverlo.
#
# | regla | actualización | valores por defecto |
# |---|---|---|
# | `sgd` | `w -= lr*g` | learning_rate 0.01 |
# | `sgd_momentum` | `velocity = mu*velocity - lr*g; w += velocity` | learning_rate 0.01, momentum 0.9 |
# | `sgd_nesterov` | `velocity = mu*velocity - lr*g; w += mu*velocity - lr*g` | learning_rate 0.01, momentum 0.9 |
# | `adagrad` | `cache += g**2; w -= lr*g/(sqrt(cache)+epsilon)` | learning_rate 0.001, epsilon 1e-7 |
# | `rmsprop` | `cache = decay_rate*cache + (1-decay_rate)*g**2; w -= lr*g/(sqrt(cache)+epsilon)` | learning_rate 0.001, decay_rate 0.9, epsilon 1e-7 |
# | `adam` | `t += 1; m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g**2; m_hat = m/(1-beta1**t); v_hat = v/(1-beta2**t); w -= lr*m_hat/(sqrt(v_hat)+epsilon)` | learning_rate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7 |
#
# Aquí `lr = config["learning_rate"]` y `mu = config["momentum"]`. Todo el
# estado empieza en ceros; el contador de pasos de Adam, `t`, empieza en 0 y se
# incrementa **antes** de usarlo, de modo que el primer paso usa `t = 1` y tras
# `n` llamadas `config["t"] == n`.
#
# Keras escribe algunas reglas de forma algo distinta — ε *dentro* de la raíz
# cuadrada en AdaGrad y RMSProp (`lr*g/sqrt(cache+epsilon)`), y la corrección de
# sesgo de Adam incorporada al tamaño del paso (`alpha = lr*sqrt(1-beta2**t)/(1-beta1**t);
# w -= alpha*m/(sqrt(v)+epsilon)`). El corrector acepta cualquiera de las dos
# formas en cada regla (mantén una sola forma en toda la regla) y te dice cuál
# ha reconocido. La `cache` de AdaGrad empieza aquí en ceros (Keras empieza su
# acumulador en 0.1: eso *no* se acepta).

import numpy as np

# ## `sgd(w, dw, config=None) -> (next_w, config)`
#
# Vanilla stochastic gradient descent: `w ← w − lr·g`. It carries no state.
#
# ---
#
# *Español:*
#
# ## `sgd(w, dw, config=None) -> (next_w, config)`
#
# Descenso por gradiente estocástico simple: `w ← w − lr·g`. No lleva estado.

def sgd(w, dw, config=None):
    """Vanilla SGD.

    w: parameters, any shape (e.g. (n_k, n_{k-1})); dw: dJ/dw, shape of w.
    config: dict with learning_rate (default 1e-2).
    Returns (next_w, config): next_w of the shape of w.
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    next_w = None
    # TODO: take one step of size learning_rate against the gradient; call the result next_w.
    # YOUR CODE HERE
    raise NotImplementedError()
    return next_w, config

# Check: grader check ex5   (cell sgd)

# ## `sgd_momentum(w, dw, config=None) -> (next_w, config)`
#
# Momentum keeps a *velocity*, an exponentially decaying sum of past steps:
#
#     velocity = mu*velocity - lr*g
#     w = w + velocity
#
# Along a direction where the gradient keeps its sign, the steps add up (up to
# `1/(1 − mu)` times the plain step); where it oscillates, they cancel.
# `velocity` has the shape of `w` and starts at zeros.
#
# ---
#
# *Español:*
#
# ## `sgd_momentum(w, dw, config=None) -> (next_w, config)`
#
# El momento guarda una *velocidad*, una suma de los pasos pasados que decae
# exponencialmente:
#
#     velocity = mu*velocity - lr*g
#     w = w + velocity
#
# En una dirección en la que el gradiente mantiene su signo, los pasos se suman
# (hasta `1/(1 − mu)` veces el paso simple); donde oscila, se cancelan.
# `velocity` tiene la forma de `w` y empieza en ceros.

def sgd_momentum(w, dw, config=None):
    """SGD with momentum.

    w: parameters, any shape; dw: dJ/dw, shape of w.
    config: learning_rate (default 1e-2), momentum (default 0.9),
    velocity (state, shape of w, starts at zeros).
    Returns (next_w, config) with the new velocity stored in config["velocity"].
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    next_w = None
    # TODO: update the velocity (mu*velocity - lr*dw), then step with it.
    # YOUR CODE HERE
    raise NotImplementedError()
    config["velocity"] = velocity
    return next_w, config

# Check: grader check ex5   (cell sgd_momentum)

# ## `sgd_nesterov(w, dw, config=None) -> (next_w, config)`
#
# Nesterov's accelerated gradient evaluates the gradient at the look-ahead point
# `w + mu·velocity`. Rewritten in terms of the look-ahead parameters (the form
# Keras uses), one step is
#
#     velocity = mu*velocity - lr*g
#     w = w + mu*velocity - lr*g
#
# (the same as CS231n's `w += -mu*v_prev + (1 + mu)*v`). The velocity is the one
# of momentum; only the step on `w` changes.
#
# ---
#
# *Español:*
#
# ## `sgd_nesterov(w, dw, config=None) -> (next_w, config)`
#
# El gradiente acelerado de Nesterov evalúa el gradiente en el punto adelantado
# `w + mu·velocity`. Reescrito en función de los parámetros adelantados (la
# forma que usa Keras), un paso es
#
#     velocity = mu*velocity - lr*g
#     w = w + mu*velocity - lr*g
#
# (lo mismo que `w += -mu*v_prev + (1 + mu)*v` de CS231n). La velocidad es la del
# momento; solo cambia el paso sobre `w`.

def sgd_nesterov(w, dw, config=None):
    """SGD with Nesterov momentum (Keras' form).

    w: parameters, any shape; dw: dJ/dw, shape of w.
    config: learning_rate (default 1e-2), momentum (default 0.9),
    velocity (state, shape of w, starts at zeros).
    Returns (next_w, config) with the new velocity stored in config["velocity"].
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config.get("velocity", np.zeros_like(w))
    next_w = None
    # TODO: update the velocity as in momentum, then take the look-ahead step (see the formula above).
    # YOUR CODE HERE
    raise NotImplementedError()
    config["velocity"] = velocity
    return next_w, config

# Check: grader check ex5   (cell sgd_nesterov)

# ## `adagrad(w, dw, config=None) -> (next_w, config)`
#
# AdaGrad gives every parameter its own step size: it accumulates the squared
# gradients in `cache` (shape of `w`, starting at zeros) and divides the step by
# their square root, so parameters with large past gradients move less:
#
#     cache = cache + g**2
#     w = w - lr*g/(sqrt(cache) + epsilon)
#
# `epsilon` only keeps the division finite. Store the new `cache` in `config`.
#
# ---
#
# *Español:*
#
# ## `adagrad(w, dw, config=None) -> (next_w, config)`
#
# AdaGrad da a cada parámetro su propio tamaño de paso: acumula los gradientes
# al cuadrado en `cache` (forma de `w`, empieza en ceros) y divide el paso entre
# su raíz cuadrada, de modo que los parámetros con gradientes pasados grandes se
# mueven menos:
#
#     cache = cache + g**2
#     w = w - lr*g/(sqrt(cache) + epsilon)
#
# `epsilon` solo mantiene finita la división. Guarda la nueva `cache` en `config`.

def adagrad(w, dw, config=None):
    """AdaGrad.

    w: parameters, any shape; dw: dJ/dw, shape of w.
    config: learning_rate (default 1e-3), epsilon (default 1e-7),
    cache (state, shape of w, starts at zeros).
    Returns (next_w, config) with the new cache stored in config["cache"].
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("epsilon", 1e-7)
    cache = config.get("cache", np.zeros_like(w))
    next_w = None
    # TODO: accumulate dw**2 into cache, then scale the step by 1/(sqrt(cache) + epsilon).
    # YOUR CODE HERE
    raise NotImplementedError()
    config["cache"] = cache
    return next_w, config

# Check: grader check ex5   (cell adagrad)

# ## `rmsprop(w, dw, config=None) -> (next_w, config)`
#
# AdaGrad's cache only grows, so its steps shrink forever. RMSProp replaces the
# sum by an exponentially decaying average of the squared gradients:
#
#     cache = decay_rate*cache + (1 - decay_rate)*g**2
#     w = w - lr*g/(sqrt(cache) + epsilon)
#
# `cache` has the shape of `w` and starts at zeros.
#
# ---
#
# *Español:*
#
# ## `rmsprop(w, dw, config=None) -> (next_w, config)`
#
# La caché de AdaGrad solo crece, así que sus pasos se reducen para siempre.
# RMSProp sustituye la suma por una media de los gradientes al cuadrado que decae
# exponencialmente:
#
#     cache = decay_rate*cache + (1 - decay_rate)*g**2
#     w = w - lr*g/(sqrt(cache) + epsilon)
#
# `cache` tiene la forma de `w` y empieza en ceros.

def rmsprop(w, dw, config=None):
    """RMSProp.

    w: parameters, any shape; dw: dJ/dw, shape of w.
    config: learning_rate (default 1e-3), decay_rate (default 0.9),
    epsilon (default 1e-7), cache (state, shape of w, starts at zeros).
    Returns (next_w, config) with the new cache stored in config["cache"].
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("decay_rate", 0.9)
    config.setdefault("epsilon", 1e-7)
    cache = config.get("cache", np.zeros_like(w))
    next_w = None
    # TODO: decaying average of dw**2 in cache, then scale the step by 1/(sqrt(cache) + epsilon).
    # YOUR CODE HERE
    raise NotImplementedError()
    config["cache"] = cache
    return next_w, config

# Check: grader check ex5   (cell rmsprop)

# ## `adam(w, dw, config=None) -> (next_w, config)`
#
# Adam combines momentum (a decaying mean `m` of the gradients) with RMSProp (a
# decaying mean `v` of their squares). Both start at zeros, so early on they are
# biased towards 0; dividing by `1 − beta**t` removes that bias:
#
#     t = t + 1                      # increment t BEFORE using it
#     m = beta1*m + (1 - beta1)*g
#     v = beta2*v + (1 - beta2)*g**2
#     m_hat = m/(1 - beta1**t)
#     v_hat = v/(1 - beta2**t)
#     w = w - lr*m_hat/(sqrt(v_hat) + epsilon)
#
# `m`, `v` have the shape of `w` and start at zeros; `t` starts at 0. Store `m`,
# `v` and `t` (not `m_hat`, `v_hat`) back into `config`.
#
# ---
#
# *Español:*
#
# ## `adam(w, dw, config=None) -> (next_w, config)`
#
# Adam combina el momento (una media `m` de los gradientes que decae) con RMSProp
# (una media `v` de sus cuadrados que decae). Las dos empiezan en ceros, así que
# al principio están sesgadas hacia 0; dividir entre `1 − beta**t` elimina ese
# sesgo:
#
#     t = t + 1                      # incrementa t ANTES de usarlo
#     m = beta1*m + (1 - beta1)*g
#     v = beta2*v + (1 - beta2)*g**2
#     m_hat = m/(1 - beta1**t)
#     v_hat = v/(1 - beta2**t)
#     w = w - lr*m_hat/(sqrt(v_hat) + epsilon)
#
# `m`, `v` tienen la forma de `w` y empiezan en ceros; `t` empieza en 0. Guarda
# `m`, `v` y `t` (no `m_hat`, `v_hat`) de vuelta en `config`.

def adam(w, dw, config=None):
    """Adam.

    w: parameters, any shape; dw: dJ/dw, shape of w.
    config: learning_rate (default 1e-3), beta1 (default 0.9), beta2 (default
    0.999), epsilon (default 1e-7); state m, v (shape of w, start at zeros)
    and t (starts at 0, incremented before use).
    Returns (next_w, config) with m, v and t stored in config.
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-7)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    next_w = None
    # TODO: increment t BEFORE using it; update m and v; bias-correct them into m_hat and
    # v_hat (new variables); take the step; store m, v and t (not m_hat, v_hat) in config.
    # YOUR CODE HERE
    raise NotImplementedError()
    return next_w, config

# Check: grader check ex5   (cell adam)

# ## State handling
#
# These checks run all six rules: a call with `config=None` must use the
# defaults of the table (and store them in `config`); the state (`velocity`,
# `cache`, `m`, `v`, `t`) must start at zeros / 0 and be written back into the
# returned `config`, so that after `n` steps `config["t"] == n`.
#
# ---
#
# *Español:*
#
# ## Manejo del estado
#
# Estas comprobaciones ejecutan las seis reglas: una llamada con `config=None`
# debe usar los valores por defecto de la tabla (y guardarlos en `config`); el
# estado (`velocity`, `cache`, `m`, `v`, `t`) debe empezar en ceros / 0 y
# guardarse de vuelta en el `config` devuelto, de modo que tras `n` pasos
# `config["t"] == n`.

# Check: grader check ex5   (cell state)
