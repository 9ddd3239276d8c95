# %% [markdown]
# # Exercise 10 — Gaussian noise, Gaussian dropout and layer normalization
#
# Three layers that Keras provides, acting on activations `a` (or
# pre-activations `x`) of shape `(n, m)`: `n` units, one example per column.
#
# **Gaussian noise.** Adding zero-mean noise to the activations during
# training, `out = a + noise` with `noise ~ N(0, σ²)` drawn independently for
# every entry, is a regulariser: the network cannot rely on exact values and
# has to learn a function that is robust to small perturbations (for a linear
# model with the squared error, noise added to the inputs adds, on average, a
# penalty proportional to `σ² Σ w²`: L2 regularization). The noise is used in
# training only: at test time the layer is the identity. Since `E[out] = a`,
# nothing has to be rescaled. Keras: `GaussianNoise(stddev)`.
#
# **Gaussian dropout.** Dropout multiplies every unit by a random mask.
# Inverted (Bernoulli) dropout with keep probability `p` (exercise 3) uses the
# mask values `0` (probability `1 − p`) and `1/p` (probability `p`): mean `1`,
# variance `(1 − p)/p`. Gaussian dropout replaces it with *multiplicative*
# Gaussian noise of the same mean and variance. With `rate = 1 − p` the drop
# rate, as in Keras:
#
#     mask ~ N(1, rate/(1 − rate)),   out = a ⊙ mask     (training)
#     out = a                                             (test)
#
# Because `E[mask] = 1`, the expected activation does not change and no
# rescaling is needed, neither in training nor at test time. Keras:
# `GaussianDropout(rate)`, whose noise has standard deviation `sqrt(rate/(1 − rate))`.
#
# **Layer normalization.** Batch normalization (exercise 8) normalises each
# unit (row) over the examples of the mini-batch. Layer normalization
# normalises each *example* (column) over its units, and then scales and
# shifts each unit by learned parameters `γ` and `β`, columns of shape `(n, 1)`:
#
#     μ  = (1/n) Σ_i x_i                 mean of each column, shape (1, m)
#     σ² = (1/n) Σ_i (x_i − μ)²          biased variance of each column, shape (1, m)
#     x̂  = (x − μ) / sqrt(σ² + ε)
#     out = γ ⊙ x̂ + β
#
# No statistic depends on the other examples of the batch, so there are no
# running averages: the layer computes exactly the same in training and at
# test time, and it works with a batch of a single example. Keras:
# `LayerNormalization(axis=-1)`, which stores examples as rows — the transpose
# of our convention.
# %% [markdown es]
# # Ejercicio 10 — Ruido gaussiano, dropout gaussiano y normalización por capa
#
# Tres capas que ofrece Keras y que actúan sobre activaciones `a` (o
# preactivaciones `x`) de forma `(n, m)`: `n` unidades, un ejemplo por columna.
#
# **Ruido gaussiano.** Sumar ruido de media cero a las activaciones durante el
# entrenamiento, `out = a + noise` con `noise ~ N(0, σ²)` generado de forma
# independiente para cada elemento, es un regularizador: la red no puede fiarse
# de los valores exactos y tiene que aprender una función robusta frente a
# pequeñas perturbaciones (en un modelo lineal con error cuadrático, sumar
# ruido a las entradas añade, en promedio, una penalización proporcional a
# `σ² Σ w²`: regularización L2). El ruido solo se usa en el entrenamiento: en
# test la capa es la identidad. Como `E[out] = a`, no hay que reescalar nada.
# Keras: `GaussianNoise(stddev)`.
#
# **Dropout gaussiano.** El dropout multiplica cada unidad por una máscara
# aleatoria. El dropout invertido (de Bernoulli) con probabilidad de
# conservación `p` (ejercicio 3) usa como valores de la máscara `0` (con
# probabilidad `1 − p`) y `1/p` (con probabilidad `p`): media `1` y varianza
# `(1 − p)/p`. El dropout gaussiano lo sustituye por un ruido gaussiano
# *multiplicativo* con la misma media y la misma varianza. Con `rate = 1 − p`
# la tasa de apagado, como en Keras:
#
#     mask ~ N(1, rate/(1 − rate)),   out = a ⊙ mask     (entrenamiento)
#     out = a                                             (test)
#
# Como `E[mask] = 1`, la activación esperada no cambia y no hace falta
# reescalar, ni en entrenamiento ni en test. Keras: `GaussianDropout(rate)`,
# cuyo ruido tiene desviación típica `sqrt(rate/(1 − rate))`.
#
# **Normalización por capa.** La normalización por lotes (ejercicio 8)
# normaliza cada unidad (fila) sobre los ejemplos del minilote. La
# normalización por capa (*layer normalization*) normaliza cada *ejemplo*
# (columna) sobre sus unidades y después escala y desplaza cada unidad con los
# parámetros aprendidos `γ` y `β`, columnas de forma `(n, 1)`:
#
#     μ  = (1/n) Σ_i x_i                 media de cada columna, forma (1, m)
#     σ² = (1/n) Σ_i (x_i − μ)²          varianza sesgada de cada columna, forma (1, m)
#     x̂  = (x − μ) / sqrt(σ² + ε)
#     out = γ ⊙ x̂ + β
#
# Ningún estadístico depende de los demás ejemplos del lote, así que no hay
# medias acumuladas: la capa calcula exactamente lo mismo en entrenamiento y en
# test, y funciona con un lote de un solo ejemplo. Keras:
# `LayerNormalization(axis=-1)`, que guarda los ejemplos en filas — la
# traspuesta de nuestro convenio.

# %% [code]
import numpy as np

# %% [markdown]
# ## `gaussian_noise_forward(a, stddev, train=True, rng=None) -> (out, noise)`
#
# **Training** (`train=True`): `noise = stddev * z`, where `z` holds standard
# normal numbers of the shape of `a` drawn from `rng` with
# `rng.standard_normal(a.shape)` (`rng` is a `numpy.random.Generator`; when it
# is `None`, use `np.random.default_rng()`), and `out = a + noise`. `stddev` is
# the **standard deviation** σ, not the variance σ².
#
# **Test** (`train=False`): `out = a` and `noise = None`.
#
# Shapes: `a`, `noise`, `out` are all `(n, m)`.
# %% [markdown es]
# ## `gaussian_noise_forward(a, stddev, train=True, rng=None) -> (out, noise)`
#
# **Entrenamiento** (`train=True`): `noise = stddev * z`, donde `z` contiene
# números normales estándar de la forma de `a` generados con `rng` mediante
# `rng.standard_normal(a.shape)` (`rng` es un `numpy.random.Generator`; si es
# `None`, usa `np.random.default_rng()`), y `out = a + noise`. `stddev` es la
# **desviación típica** σ, no la varianza σ².
#
# **Test** (`train=False`): `out = a` y `noise = None`.
#
# Formas: `a`, `noise`, `out` son todas `(n, m)`.

# %% [solution id=gaussian_noise_forward]
def gaussian_noise_forward(a, stddev, train=True, rng=None):
    """Additive Gaussian noise.

    a: (n, m) activations; stddev: standard deviation of the noise, >= 0;
    train: True in training, False at test time; rng: numpy Generator or None.
    Returns (out, noise): out (n, m); noise (n, m) drawn from N(0, stddev²),
    or None at test time.
    """
    ### BEGIN SOLUTION
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng()
    noise = stddev * rng.standard_normal(a.shape)
    return a + noise, noise
    ### END SOLUTION

# %% [tests id=gaussian_noise_forward]

# %% [markdown]
# ## `gaussian_noise_backward(dout, noise) -> da`
#
# `dout` is `∂J/∂out`, of shape `(n, m)`. The noise is *added* and does not
# depend on `a`, so `∂out/∂a = 1`: the gradient passes unchanged, in training
# and at test time (`noise` is not needed; it may be `None`).
# %% [markdown es]
# ## `gaussian_noise_backward(dout, noise) -> da`
#
# `dout` es `∂J/∂out`, de forma `(n, m)`. El ruido se *suma* y no depende de
# `a`, así que `∂out/∂a = 1`: el gradiente pasa sin cambios, tanto en
# entrenamiento como en test (`noise` no hace falta; puede ser `None`).

# %% [solution id=gaussian_noise_backward]
def gaussian_noise_backward(dout, noise):
    """dout: (n, m) upstream gradient; noise from gaussian_noise_forward (or None). Returns ∂J/∂a, (n, m)."""
    ### BEGIN SOLUTION
    return dout
    ### END SOLUTION

# %% [tests id=gaussian_noise_backward]

# %% [markdown]
# ## `gaussian_dropout_forward(a, rate, train=True, rng=None) -> (out, mask)`
#
# `rate` is the drop rate, `0 ≤ rate < 1` (keep probability `1 − rate`).
#
# **Training**: `mask = 1 + sqrt(rate / (1 − rate)) * z`, with
# `z = rng.standard_normal(a.shape)` drawn as above, and `out = a * mask`.
# The mask has mean `1` and **variance** `rate/(1 − rate)`: its standard
# deviation is the square root (e.g. `0.5` for `rate = 0.2`).
#
# **Test**: `out = a` and `mask = None` — no noise and no scaling.
# %% [markdown es]
# ## `gaussian_dropout_forward(a, rate, train=True, rng=None) -> (out, mask)`
#
# `rate` es la tasa de apagado, `0 ≤ rate < 1` (probabilidad de conservación
# `1 − rate`).
#
# **Entrenamiento**: `mask = 1 + sqrt(rate / (1 − rate)) * z`, con
# `z = rng.standard_normal(a.shape)` generado como antes, y `out = a * mask`.
# La máscara tiene media `1` y **varianza** `rate/(1 − rate)`: su desviación
# típica es la raíz cuadrada (p. ej. `0.5` para `rate = 0.2`).
#
# **Test**: `out = a` y `mask = None` — ni ruido ni escalado.

# %% [solution id=gaussian_dropout_forward]
def gaussian_dropout_forward(a, rate, train=True, rng=None):
    """Gaussian dropout (multiplicative noise of mean 1), as Keras' GaussianDropout.

    a: (n, m) activations; rate: drop rate, 0 <= rate < 1;
    train: True in training, False at test time; rng: numpy Generator or None.
    Returns (out, mask): out (n, m); mask (n, m) drawn from N(1, rate/(1 - rate)),
    or None at test time.
    """
    ### BEGIN SOLUTION
    if not train:
        return a, None
    if rng is None:
        rng = np.random.default_rng()
    mask = 1.0 + np.sqrt(rate / (1.0 - rate)) * rng.standard_normal(a.shape)
    return a * mask, mask
    ### END SOLUTION

# %% [tests id=gaussian_dropout_forward]

# %% [markdown]
# ## `gaussian_dropout_backward(dout, mask) -> da`
#
# As for Bernoulli dropout, the gradient is scaled like the units:
# `∂J/∂a = dout * mask`. With `mask = None` (test mode) it passes unchanged.
# %% [markdown es]
# ## `gaussian_dropout_backward(dout, mask) -> da`
#
# Como en el dropout de Bernoulli, el gradiente se escala igual que las
# unidades: `∂J/∂a = dout * mask`. Con `mask = None` (modo test) pasa sin cambios.

# %% [solution id=gaussian_dropout_backward]
def gaussian_dropout_backward(dout, mask):
    """dout: (n, m) upstream gradient; mask from gaussian_dropout_forward. Returns ∂J/∂a, (n, m)."""
    ### BEGIN SOLUTION
    if mask is None:
        return dout
    return dout * mask
    ### END SOLUTION

# %% [tests id=gaussian_dropout_backward]

# %% [markdown]
# ## `layernorm_forward(x, gamma, beta, eps=1e-3) -> (out, cache)`
#
# `x` has shape `(n, m)`; `gamma` and `beta` are columns `(n, 1)`. Compute `μ`
# and the *biased* variance `σ²` (`1/n`: `np.var`'s default) of each column,
# over the units — **axis 0**, with `keepdims=True` so that they are rows of
# shape `(1, m)` — and return `out = γ ⊙ (x − μ)/sqrt(σ² + ε) + β` (ε **inside**
# the square root; broadcasting gives `(n, m)`). There is no mode and no
# running statistic: the same code serves training and test.
#
# `cache` is yours: put in it whatever `layernorm_backward` needs (e.g. `x̂`,
# `γ` and `1/sqrt(σ² + ε)`).
# %% [markdown es]
# ## `layernorm_forward(x, gamma, beta, eps=1e-3) -> (out, cache)`
#
# `x` tiene forma `(n, m)`; `gamma` y `beta` son columnas `(n, 1)`. Calcula `μ`
# y la varianza *sesgada* `σ²` (`1/n`: la de `np.var` por defecto) de cada
# columna, sobre las unidades — **eje 0**, con `keepdims=True` para que sean
# filas de forma `(1, m)` — y devuelve `out = γ ⊙ (x − μ)/sqrt(σ² + ε) + β`
# (ε **dentro** de la raíz; la difusión (*broadcasting*) da `(n, m)`). No hay
# modo ni estadísticas acumuladas: el mismo código sirve para entrenamiento y test.
#
# `cache` es tuyo: guarda en él lo que necesite `layernorm_backward` (p. ej.
# `x̂`, `γ` y `1/sqrt(σ² + ε)`).

# %% [solution id=layernorm_forward]
def layernorm_forward(x, gamma, beta, eps=1e-3):
    """Layer normalisation of each column (one example) over its units (axis 0).

    x: (n, m); gamma, beta: (n, 1); eps: added to the variance inside the square root.
    Returns (out, cache): out of shape (n, m); cache for layernorm_backward.
    """
    out, cache = None, None
    # TODO: μ and the biased σ² of each column: over axis 0, keepdims=True (shape (1, m)).
    # TODO: x̂ = (x − μ)/sqrt(σ² + ε), out = γ ⊙ x̂ + β, and the cache.
    ### BEGIN SOLUTION
    mean = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, inv_std)
    ### END SOLUTION
    return out, cache

# %% [tests id=layernorm_forward]

# %% [markdown]
# ## `layernorm_backward(dout, cache) -> (dx, dgamma, dbeta)`
#
# `dout = ∂J/∂out`, of shape `(n, m)`; `cache` is what your `layernorm_forward`
# returned. It is batch normalization's backward pass with the roles of the
# axes swapped. With `dx̂ = dout ⊙ γ`, the statistics of each example give
# sums over its units (axis 0, `keepdims=True`):
#
#     dx = (1 / (n·sqrt(σ² + ε))) ⊙ (n·dx̂ − Σ_i dx̂_i − x̂ ⊙ Σ_i dx̂_i ⊙ x̂_i)    (n, m)
#
# while `γ` and `β` are shared by all examples, so their gradients are sums
# over the batch (axis 1, `keepdims=True`):
#
#     dgamma = Σ_j dout_j ⊙ x̂_j                                     (n, 1)
#     dbeta  = Σ_j dout_j                                           (n, 1)
#
# The last two terms of `dx` come from `μ` and `σ²` depending on `x` (every unit
# of an example moves the output of every other unit of that example). The
# grader compares your gradients with centered differences of **your own**
# `layernorm_forward`.
# %% [markdown es]
# ## `layernorm_backward(dout, cache) -> (dx, dgamma, dbeta)`
#
# `dout = ∂J/∂out`, de forma `(n, m)`; `cache` es lo que devolvió tu
# `layernorm_forward`. Es el paso hacia atrás de la normalización por lotes con
# los papeles de los ejes intercambiados. Con `dx̂ = dout ⊙ γ`, los estadísticos
# de cada ejemplo dan sumas sobre sus unidades (eje 0, `keepdims=True`):
#
#     dx = (1 / (n·sqrt(σ² + ε))) ⊙ (n·dx̂ − Σ_i dx̂_i − x̂ ⊙ Σ_i dx̂_i ⊙ x̂_i)    (n, m)
#
# mientras que `γ` y `β` son comunes a todos los ejemplos, así que sus
# gradientes son sumas sobre el lote (eje 1, `keepdims=True`):
#
#     dgamma = Σ_j dout_j ⊙ x̂_j                                     (n, 1)
#     dbeta  = Σ_j dout_j                                           (n, 1)
#
# Los dos últimos términos de `dx` vienen de que `μ` y `σ²` dependen de `x`
# (cada unidad de un ejemplo mueve la salida de todas las demás unidades de ese
# ejemplo). El corrector compara tus gradientes con diferencias centradas de
# **tu propio** `layernorm_forward`.

# %% [solution id=layernorm_backward]
def layernorm_backward(dout, cache):
    """Backward pass of layernorm_forward.

    dout: (n, m) upstream gradient ∂J/∂out; cache: from layernorm_forward.
    Returns (dx (n, m), dgamma (n, 1), dbeta (n, 1)).
    """
    dx, dgamma, dbeta = None, None, None
    # TODO: dgamma and dbeta: sums over the batch (axis 1, keepdims=True).
    # TODO: dx from dx̂ = dout ⊙ γ and the three terms of the formula above (sums over axis 0).
    ### BEGIN SOLUTION
    x_hat, gamma, inv_std = cache
    n = dout.shape[0]
    dgamma = np.sum(dout * x_hat, axis=1, keepdims=True)
    dbeta = np.sum(dout, axis=1, keepdims=True)
    dx_hat = dout * gamma
    dx = (inv_std / n) * (n * dx_hat - np.sum(dx_hat, axis=0, keepdims=True)
                          - x_hat * np.sum(dx_hat * x_hat, axis=0, keepdims=True))
    ### END SOLUTION
    return dx, dgamma, dbeta

# %% [tests id=layernorm_backward]
