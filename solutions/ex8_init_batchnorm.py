# %% [markdown]
# # Exercise 8 — Initialization and batch normalization
#
# A layer computes `z(k) = W(k) a(k−1) + b(k)` and `a(k) = f(z(k))`, with `W(k)`
# of shape `(n_k, n_{k−1})` and one example per column. How `W(k)` starts and
# how the scale of `z(k)` evolves during training decide whether the signal
# (forward) and the gradient (backward) keep a useful size through many layers.
#
# **Initialization.** Draw the weights from a zero-mean normal whose variance
# keeps the variance of the signal from layer to layer (`n_in = n_{k−1}` inputs,
# `n_out = n_k` outputs; the biases start at zero):
#
# - Xavier/Glorot (sigmoid, tanh): `Var(w) = 2/(n_in + n_out)`, the compromise
#   between keeping the forward variance (`1/n_in`) and the backward one (`1/n_out`);
# - He (ReLU, which zeroes half of its inputs): `Var(w) = 2/n_in`.
#
# **Batch normalization.** For one layer's pre-activations `x` of shape `(n, m)`
# (`n` units, a mini-batch of `m` examples as columns), each unit (row) is
# normalised over the batch and then scaled and shifted by learned parameters
# `γ` and `β`, columns of shape `(n, 1)`:
#
#     μ  = (1/m) Σ_j x_j                 mean of each row, shape (n, 1)
#     σ² = (1/m) Σ_j (x_j − μ)²          biased variance of each row, shape (n, 1)
#     x̂  = (x − μ) / sqrt(σ² + ε)
#     out = γ ⊙ x̂ + β
#
# At test time there may be a single example, so the layer uses running
# averages of `μ` and `σ²` collected during training instead of the batch's.
# %% [markdown es]
# # Ejercicio 8 — Inicialización y normalización por lotes
#
# Una capa calcula `z(k) = W(k) a(k−1) + b(k)` y `a(k) = f(z(k))`, con `W(k)` de
# forma `(n_k, n_{k−1})` y un ejemplo por columna. Cómo empieza `W(k)` y cómo
# evoluciona la escala de `z(k)` durante el entrenamiento deciden si la señal
# (hacia delante) y el gradiente (hacia atrás) conservan un tamaño útil a través
# de muchas capas.
#
# **Inicialización.** Los pesos se generan con una normal de media cero cuya
# varianza conserva la varianza de la señal de una capa a la siguiente
# (`n_in = n_{k−1}` entradas, `n_out = n_k` salidas; los sesgos empiezan en cero):
#
# - Xavier/Glorot (sigmoide, tanh): `Var(w) = 2/(n_in + n_out)`, el compromiso
#   entre conservar la varianza hacia delante (`1/n_in`) y hacia atrás (`1/n_out`);
# - He (ReLU, que anula la mitad de sus entradas): `Var(w) = 2/n_in`.
#
# **Normalización por lotes.** Para las preactivaciones `x` de una capa, de forma
# `(n, m)` (`n` unidades, un minilote de `m` ejemplos en columnas), cada unidad
# (fila) se normaliza sobre el lote y luego se escala y desplaza con los
# parámetros aprendidos `γ` y `β`, columnas de forma `(n, 1)`:
#
#     μ  = (1/m) Σ_j x_j                 media de cada fila, forma (n, 1)
#     σ² = (1/m) Σ_j (x_j − μ)²          varianza sesgada de cada fila, forma (n, 1)
#     x̂  = (x − μ) / sqrt(σ² + ε)
#     out = γ ⊙ x̂ + β
#
# En test puede haber un solo ejemplo, así que la capa usa medias acumuladas de
# `μ` y `σ²` recogidas durante el entrenamiento en lugar de las del lote.

# %% [code]
import numpy as np

# %% [markdown]
# ## `glorot_normal(n_in, n_out, rng) -> W`
#
# Return `W` of shape `(n_out, n_in)` with entries drawn from the normal
# distribution `N(0, 2/(n_in + n_out))` — a plain normal, **not** truncated and
# not uniform. `rng` is a `numpy.random.Generator`: draw from it
# (`rng.normal(loc, scale, size)`, where `scale` is the **standard deviation**,
# the square root of the variance), never from `np.random`, so that a seeded
# generator gives the same weights every time.
# %% [markdown es]
# ## `glorot_normal(n_in, n_out, rng) -> W`
#
# Devuelve `W` de forma `(n_out, n_in)` con valores de la distribución normal
# `N(0, 2/(n_in + n_out))` — una normal sin más, **sin** truncar y no uniforme.
# `rng` es un `numpy.random.Generator`: genera con él (`rng.normal(loc, scale, size)`,
# donde `scale` es la **desviación típica**, la raíz cuadrada de la varianza),
# nunca con `np.random`, para que un generador con semilla dé siempre los mismos pesos.

# %% [solution id=glorot_normal]
def glorot_normal(n_in, n_out, rng):
    """Xavier/Glorot normal initialisation.

    n_in: inputs of the layer (n_{k-1}); n_out: units of the layer (n_k);
    rng: numpy.random.Generator.
    Returns W of shape (n_out, n_in) with entries from N(0, 2/(n_in + n_out)).
    """
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / (n_in + n_out))
    return rng.normal(0.0, std, size=(n_out, n_in))
    ### END SOLUTION

# %% [markdown]
# ## `he_normal(n_in, n_out, rng) -> W`
#
# The same for He's initialisation: shape `(n_out, n_in)`, entries from
# `N(0, 2/n_in)` (only the fan-in `n_in` counts).
# %% [markdown es]
# ## `he_normal(n_in, n_out, rng) -> W`
#
# Lo mismo para la inicialización de He: forma `(n_out, n_in)`, valores de
# `N(0, 2/n_in)` (solo cuenta el fan-in `n_in`).

# %% [solution id=he_normal]
def he_normal(n_in, n_out, rng):
    """He normal initialisation.

    n_in: inputs of the layer (n_{k-1}); n_out: units of the layer (n_k);
    rng: numpy.random.Generator.
    Returns W of shape (n_out, n_in) with entries from N(0, 2/n_in).
    """
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / n_in)
    return rng.normal(0.0, std, size=(n_out, n_in))
    ### END SOLUTION

# %% [tests id=init]

# %% [markdown]
# ## `batchnorm_forward(x, gamma, beta, bn_param) -> (out, cache)`
#
# `x` has shape `(n, m)`; `gamma` and `beta` are columns `(n, 1)`. `bn_param`
# is a `dict` with
#
# - `mode`: `"train"` or `"test"`;
# - `eps` (ε, default `1e-3`) and `momentum` (default `0.99`);
# - `running_mean` and `running_var`, columns `(n, 1)`. They may be missing: then
#   `running_mean` starts at **zeros** and `running_var` at **ones**.
#
# **Training** (`mode == "train"`): normalise with the batch's `μ` and `σ²`
# (the *biased* variance, `1/m`: `np.var`'s default), over the batch — **axis 1**,
# with `keepdims=True` so they are `(n, 1)` columns — and update the running
# statistics with the batch's ones (Keras' convention, `momentum` close to 1):
#
#     running_mean = momentum * running_mean + (1 - momentum) * μ
#     running_var  = momentum * running_var  + (1 - momentum) * σ²
#
# and **store them in `bn_param`** (`bn_param["running_mean"] = …`): the caller
# passes the same `bn_param` to the next call.
#
# **Test** (`mode == "test"`): normalise with `running_mean` and `running_var`
# instead of `μ` and `σ²`, and leave them unchanged.
#
# In both modes `out = γ ⊙ (x − mean)/sqrt(var + ε) + β` (ε **inside** the square
# root). `cache` is yours: put in it whatever `batchnorm_backward` needs (e.g.
# `x̂`, `γ` and `1/sqrt(σ² + ε)`). The grader passes copies of its inputs and
# reads `bn_param` after the call.
# %% [markdown es]
# ## `batchnorm_forward(x, gamma, beta, bn_param) -> (out, cache)`
#
# `x` tiene forma `(n, m)`; `gamma` y `beta` son columnas `(n, 1)`. `bn_param`
# es un `dict` con
#
# - `mode`: `"train"` o `"test"`;
# - `eps` (ε, por defecto `1e-3`) y `momentum` (por defecto `0.99`);
# - `running_mean` y `running_var`, columnas `(n, 1)`. Pueden faltar: entonces
#   `running_mean` empieza en **ceros** y `running_var` en **unos**.
#
# **Entrenamiento** (`mode == "train"`): normaliza con la `μ` y la `σ²` del lote
# (la varianza *sesgada*, `1/m`: la de `np.var` por defecto), sobre el lote —
# **eje 1**, con `keepdims=True` para que sean columnas `(n, 1)` — y actualiza las
# estadísticas acumuladas con las del lote (convenio de Keras, `momentum` cercano a 1):
#
#     running_mean = momentum * running_mean + (1 - momentum) * μ
#     running_var  = momentum * running_var  + (1 - momentum) * σ²
#
# y **guárdalas en `bn_param`** (`bn_param["running_mean"] = …`): quien llama
# pasa el mismo `bn_param` a la siguiente llamada.
#
# **Test** (`mode == "test"`): normaliza con `running_mean` y `running_var` en
# lugar de `μ` y `σ²`, y déjalas sin cambios.
#
# En ambos modos `out = γ ⊙ (x − media)/sqrt(var + ε) + β` (ε **dentro** de la
# raíz). `cache` es tuyo: guarda en él lo que necesite `batchnorm_backward` (p. ej.
# `x̂`, `γ` y `1/sqrt(σ² + ε)`). El corrector pasa copias de sus entradas y lee
# `bn_param` después de la llamada.

# %% [solution id=batchnorm_forward]
def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation over the batch (axis 1); each row of x is one unit.

    x: (n, m); gamma, beta: (n, 1).
    bn_param: dict with mode ("train" or "test"), eps, momentum and the running
    statistics running_mean, running_var of shape (n, 1) (zeros / ones when missing).
    Returns (out, cache): out of shape (n, m); cache for batchnorm_backward.
    Training updates bn_param["running_mean"] and bn_param["running_var"].
    """
    out, cache = None, None
    # TODO: read mode, eps (default 1e-3) and momentum (default 0.99) from bn_param, and running_mean /
    #       running_var (zeros / ones of shape (n, 1) when missing).
    # TODO: in "train" mode, compute μ and the biased σ² over axis 1 (keepdims=True), normalise with them,
    #       update the running statistics (momentum * running + (1 - momentum) * batch) and store them in bn_param.
    # TODO: in "test" mode, normalise with the running statistics and leave them unchanged.
    ### BEGIN SOLUTION
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-3)
    momentum = bn_param.get("momentum", 0.99)
    n = x.shape[0]
    running_mean = bn_param.get("running_mean", np.zeros((n, 1)))
    running_var = bn_param.get("running_var", np.ones((n, 1)))
    if mode == "train":
        mean = x.mean(axis=1, keepdims=True)
        var = x.var(axis=1, keepdims=True)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, inv_std)
    ### END SOLUTION
    return out, cache

# %% [tests id=batchnorm_forward]

# %% [markdown]
# ## `batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)`
#
# `dout = ∂J/∂out`, of shape `(n, m)`; `cache` is what your `batchnorm_forward`
# returned in training mode. With `dx̂ = dout ⊙ γ` and sums over the batch
# (axis 1, `keepdims=True`):
#
#     dgamma = Σ_j dout_j ⊙ x̂_j                                     (n, 1)
#     dbeta  = Σ_j dout_j                                           (n, 1)
#     dx     = (1 / (m·sqrt(σ² + ε))) ⊙ (m·dx̂ − Σ_j dx̂_j − x̂ ⊙ Σ_j dx̂_j ⊙ x̂_j)    (n, m)
#
# The last two terms of `dx` come from `μ` and `σ²` depending on `x` (every
# example of the batch moves every other example's output); forgetting one of
# them is the classic mistake. The grader compares your gradients with
# centered differences of **your own** `batchnorm_forward`.
# %% [markdown es]
# ## `batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)`
#
# `dout = ∂J/∂out`, de forma `(n, m)`; `cache` es lo que devolvió tu
# `batchnorm_forward` en modo entrenamiento. Con `dx̂ = dout ⊙ γ` y sumas sobre el
# lote (eje 1, `keepdims=True`):
#
#     dgamma = Σ_j dout_j ⊙ x̂_j                                     (n, 1)
#     dbeta  = Σ_j dout_j                                           (n, 1)
#     dx     = (1 / (m·sqrt(σ² + ε))) ⊙ (m·dx̂ − Σ_j dx̂_j − x̂ ⊙ Σ_j dx̂_j ⊙ x̂_j)    (n, m)
#
# Los dos últimos términos de `dx` vienen de que `μ` y `σ²` dependen de `x` (cada
# ejemplo del lote mueve la salida de todos los demás); olvidar uno de ellos es el
# error clásico. El corrector compara tus gradientes con diferencias centradas de
# **tu propio** `batchnorm_forward`.

# %% [solution id=batchnorm_backward]
def batchnorm_backward(dout, cache):
    """Backward pass of batchnorm_forward in training mode.

    dout: (n, m) upstream gradient ∂J/∂out; cache: from batchnorm_forward.
    Returns (dx (n, m), dgamma (n, 1), dbeta (n, 1)).
    """
    dx, dgamma, dbeta = None, None, None
    # TODO: dgamma and dbeta: sums over the batch (axis 1, keepdims=True).
    # TODO: dx from dx̂ = dout ⊙ γ and the three terms of the formula above.
    ### BEGIN SOLUTION
    x_hat, gamma, inv_std = cache
    m = dout.shape[1]
    dgamma = np.sum(dout * x_hat, axis=1, keepdims=True)
    dbeta = np.sum(dout, axis=1, keepdims=True)
    dx_hat = dout * gamma
    dx = (inv_std / m) * (m * dx_hat - np.sum(dx_hat, axis=1, keepdims=True)
                          - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True))
    ### END SOLUTION
    return dx, dgamma, dbeta

# %% [tests id=batchnorm_backward]
