# %% [markdown]
# # Exercise 1 — The forward pass of a multilayer perceptron
#
# A multilayer perceptron (MLP) computes its output layer by layer. Layer `k`
# takes the activations `a(k−1)` of the layer below and computes
#
# - the pre-activation `z(k) = W(k) a(k−1) + b(k)`,
# - the activation `a(k) = f(z(k))`,
#
# with `a(0) = x` (the input) and `y = a(L)` (the output of the last layer `L`).
#
# Shapes (examples are **columns**, `m` examples at once):
#
# - `x = a(0)`: `(n_0, m)`; `a(k)` and `z(k)`: `(n_k, m)`;
# - `W(k)`: `(n_k, n_{k−1})` — one row per unit of layer `k`;
# - `b(k)`: `(n_k, 1)` — a column vector, added to every column of `W(k) a(k−1)` by broadcasting.
#
# In this exercise you write the activation functions, one dense layer, a whole
# MLP, and the two-layer network of the lectures (sigmoid hidden layer, linear
# output). Use NumPy only; every function receives 2-D float arrays, and there is
# no need to loop over the examples: one matrix product handles all `m` columns.
# %% [markdown es]
# # Ejercicio 1 — La propagación hacia delante en un perceptrón multicapa
#
# Un perceptrón multicapa (MLP) calcula su salida capa a capa. La capa `k`
# recibe las activaciones `a(k−1)` de la capa anterior y calcula
#
# - la preactivación `z(k) = W(k) a(k−1) + b(k)`,
# - la activación `a(k) = f(z(k))`,
#
# con `a(0) = x` (la entrada) e `y = a(L)` (la salida de la última capa `L`).
#
# Formas (los ejemplos son **columnas**, `m` ejemplos a la vez):
#
# - `x = a(0)`: `(n_0, m)`; `a(k)` y `z(k)`: `(n_k, m)`;
# - `W(k)`: `(n_k, n_{k−1})` — una fila por unidad de la capa `k`;
# - `b(k)`: `(n_k, 1)` — un vector columna que se suma a cada columna de `W(k) a(k−1)` por difusión (broadcasting).
#
# En este ejercicio escribes las funciones de activación, una capa densa, un MLP
# completo y la red de dos capas de las clases (capa oculta sigmoide, salida
# lineal). Usa solo NumPy; todas las funciones reciben arrays 2-D de números
# reales, y no hace falta recorrer los ejemplos con un bucle: un solo producto
# matricial procesa las `m` columnas.

# %% [code]
import math

import numpy as np

# %% [markdown]
# ## Activation functions
#
# Each one is applied elementwise to `z` of shape `(n_k, m)` and returns an
# array of the same shape:
#
# - sigmoid: `σ(z) = 1 / (1 + e^{−z})`, values in (0, 1);
# - hyperbolic tangent: `tanh(z) = (e^{z} − e^{−z}) / (e^{z} + e^{−z}) = 2σ(2z) − 1`, values in (−1, 1) (`np.tanh` is fine);
# - ReLU: `relu(z) = max(0, z)`;
# - leaky ReLU: `z` where `z > 0`, `alpha·z` elsewhere (use the `alpha` argument; its default is 0.01).
#
# For very negative `z`, `e^{−z}` overflows to `inf` and NumPy warns, although
# `1/(1 + inf) = 0` is still the right value. To avoid the warning, use
# `e^{z} / (1 + e^{z})` where `z < 0` (both forms are the same function).
# %% [markdown es]
# ## Funciones de activación
#
# Cada una se aplica elemento a elemento a `z` de forma `(n_k, m)` y devuelve un
# array de la misma forma:
#
# - sigmoide: `σ(z) = 1 / (1 + e^{−z})`, valores en (0, 1);
# - tangente hiperbólica: `tanh(z) = (e^{z} − e^{−z}) / (e^{z} + e^{−z}) = 2σ(2z) − 1`, valores en (−1, 1) (vale `np.tanh`);
# - ReLU: `relu(z) = max(0, z)`;
# - ReLU con fugas (leaky ReLU): `z` donde `z > 0`, `alpha·z` en el resto (usa el argumento `alpha`; por defecto 0.01).
#
# Para `z` muy negativo, `e^{−z}` desborda a `inf` y NumPy avisa, aunque
# `1/(1 + inf) = 0` sigue siendo el valor correcto. Para evitar el aviso, usa
# `e^{z} / (1 + e^{z})` donde `z < 0` (las dos formas son la misma función).

# %% [solution id=sigmoid]
def sigmoid(z):
    """Logistic sigmoid σ(z) = 1 / (1 + e^{-z}), elementwise.

    z: (n_k, m) -> (n_k, m), values in (0, 1).
    """
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out
    ### END SOLUTION

# %% [solution id=tanh]
def tanh(z):
    """Hyperbolic tangent, elementwise. z: (n_k, m) -> (n_k, m), values in (-1, 1)."""
    ### BEGIN SOLUTION
    return np.tanh(z)
    ### END SOLUTION

# %% [solution id=relu]
def relu(z):
    """ReLU(z) = max(0, z), elementwise. z: (n_k, m) -> (n_k, m)."""
    ### BEGIN SOLUTION
    return np.maximum(z, 0.0)
    ### END SOLUTION

# %% [solution id=leaky_relu]
def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: z where z > 0, alpha * z elsewhere. z: (n_k, m) -> (n_k, m)."""
    ### BEGIN SOLUTION
    return np.where(z > 0, z, alpha * z)
    ### END SOLUTION

# %% [tests id=activations]

# %% [markdown]
# ## Softmax
#
# The softmax turns each column of scores `z` (one column per example) into a
# probability distribution over the `n` classes:
#
# `softmax(z)_i = e^{z_i} / Σ_j e^{z_j}`, the sum running over the rows `j` of the same column.
#
# So normalise over **axis 0**: every column of the result is non-negative and
# sums to 1. Shape: `z` `(n, m)` → `(n, m)`.
#
# Numerical stability: `e^{1000}` overflows to `inf` and `inf/inf` is `nan`.
# Since `softmax(z − c) = softmax(z)` for any constant `c` per column, subtract
# each column's maximum first (`z.max(axis=0, keepdims=True)`): then every
# exponent is ≤ 0 and the largest term is `e^0 = 1`. Your softmax must work for
# `|z|` up to 1000.
# %% [markdown es]
# ## Softmax
#
# La función softmax convierte cada columna de puntuaciones `z` (una columna por
# ejemplo) en una distribución de probabilidad sobre las `n` clases:
#
# `softmax(z)_i = e^{z_i} / Σ_j e^{z_j}`, donde la suma recorre las filas `j` de la misma columna.
#
# Así que normaliza sobre el **eje 0**: cada columna del resultado es no negativa
# y suma 1. Forma: `z` `(n, m)` → `(n, m)`.
#
# Estabilidad numérica: `e^{1000}` desborda a `inf` e `inf/inf` es `nan`. Como
# `softmax(z − c) = softmax(z)` para cualquier constante `c` por columna, resta
# primero el máximo de cada columna (`z.max(axis=0, keepdims=True)`): así todos
# los exponentes son ≤ 0 y el término mayor es `e^0 = 1`. Tu softmax debe
# funcionar para `|z|` de hasta 1000.

# %% [solution id=softmax]
def softmax(z):
    """Softmax over axis 0 (each column is one example's class scores).

    z: (n, m) -> (n, m); every column is non-negative and sums to 1.
    Subtract each column's maximum before exponentiating.
    """
    ### BEGIN SOLUTION
    shifted = z - np.max(z, axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=0, keepdims=True)
    ### END SOLUTION

# %% [tests id=softmax]

# %% [markdown]
# ## One dense layer: `dense_forward(a_prev, W, b, activation) -> (z, a)`
#
# Compute `z = W a_prev + b` (matrix product `W @ a_prev`, then add the column
# `b` to every column) and `a = f(z)`, where `f` is named by `activation`:
# one of `"linear"` (`a = z`), `"sigmoid"`, `"tanh"`, `"relu"`, `"softmax"`.
# Use your functions above. Return the pair `(z, a)` in this order: the
# pre-activation `z` is needed later by backpropagation.
#
# Shapes: `a_prev` `(n_{k−1}, m)`, `W` `(n_k, n_{k−1})`, `b` `(n_k, 1)`; `z`, `a` `(n_k, m)`.
# %% [markdown es]
# ## Una capa densa: `dense_forward(a_prev, W, b, activation) -> (z, a)`
#
# Calcula `z = W a_prev + b` (producto matricial `W @ a_prev` y luego suma la
# columna `b` a cada columna) y `a = f(z)`, donde `f` se indica con `activation`:
# una de `"linear"` (`a = z`), `"sigmoid"`, `"tanh"`, `"relu"`, `"softmax"`.
# Usa tus funciones anteriores. Devuelve el par `(z, a)` en este orden: la
# preactivación `z` hará falta después en la retropropagación.
#
# Formas: `a_prev` `(n_{k−1}, m)`, `W` `(n_k, n_{k−1})`, `b` `(n_k, 1)`; `z`, `a` `(n_k, m)`.

# %% [solution id=dense_forward]
def dense_forward(a_prev, W, b, activation):
    """One dense layer.

    a_prev: (n_{k-1}, m); W: (n_k, n_{k-1}); b: (n_k, 1);
    activation: "linear", "sigmoid", "tanh", "relu" or "softmax".
    Returns (z, a), both (n_k, m): z = W a_prev + b, a = f(z).
    """
    ### BEGIN SOLUTION
    functions = {"linear": lambda v: v, "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}
    if activation not in functions:
        raise ValueError(f"unknown activation {activation!r}")
    z = W @ a_prev + b
    return z, functions[activation](z)
    ### END SOLUTION

# %% [tests id=dense_forward]

# %% [markdown]
# ## A whole MLP: `mlp_forward(x, params, activations) -> (y, caches)`
#
# `params = [(W1, b1), (W2, b2), …, (WL, bL)]` and `activations` is a list with
# one name per layer (layer `k` uses `activations[k−1]`, counting layers from 1).
# Starting from `a(0) = x`, apply `dense_forward` layer after layer and return
# the last activation `y = a(L)` together with `caches`: one entry per layer
# with what backpropagation will need (for instance `(a_prev, z)`). The grader
# only looks at `y`; the caches are yours.
#
# Shapes: `x` `(n_0, m)`; `y` `(n_L, m)`.
# %% [markdown es]
# ## Un MLP completo: `mlp_forward(x, params, activations) -> (y, caches)`
#
# `params = [(W1, b1), (W2, b2), …, (WL, bL)]` y `activations` es una lista con
# un nombre por capa (la capa `k` usa `activations[k−1]`, contando las capas
# desde 1). Empezando por `a(0) = x`, aplica `dense_forward` capa tras capa y
# devuelve la última activación `y = a(L)` junto con `caches`: una entrada por
# capa con lo que necesitará la retropropagación (por ejemplo `(a_prev, z)`). El
# corrector solo mira `y`; las cachés son cosa tuya.
#
# Formas: `x` `(n_0, m)`; `y` `(n_L, m)`.

# %% [solution id=mlp_forward]
def mlp_forward(x, params, activations):
    """Forward pass of an MLP.

    x: (n_0, m); params: [(W1, b1), ..., (WL, bL)] with Wk (n_k, n_{k-1}), bk (n_k, 1);
    activations: list of L names, one per layer.
    Returns (y, caches): y = a(L) of shape (n_L, m); caches: one (a_prev, z) per layer.
    """
    ### BEGIN SOLUTION
    a = x
    caches = []
    for (W, b), name in zip(params, activations):
        z, a_next = dense_forward(a, W, b, name)
        caches.append((a, z))
        a = a_next
    return a, caches
    ### END SOLUTION

# %% [tests id=mlp_forward]

# %% [markdown]
# ## The two-layer network of the lectures: `TwoLayerNet`
#
# `TwoLayerNet(n_in, n_hidden, n_out, seed=0)` holds
#
# - `W1` `(n_hidden, n_in)`, `b1` `(n_hidden, 1)`, `W2` `(n_out, n_hidden)`, `b2` `(n_out, 1)` — biases are **column vectors**;
#
# and its `forward(x)` computes, for `x` of shape `(n_in, m)`,
#
# `z1 = W1 x + b1`, `a1 = σ(z1)` (sigmoid hidden layer), `z2 = W2 a1 + b2`, `y = z2` (linear output),
#
# returning the tuple `(z1, a1, z2, y)`.
#
# In `__init__`, draw the weights at random from the generator
# `np.random.default_rng(seed)`, so that the same seed always gives the same network (for example
# `rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)`); the biases may start
# at zero. The weights must *not* all be equal: if they were, every hidden unit
# would compute the same thing and stay identical during training. The grader
# sets `W1, b1, W2, b2` itself before calling `forward`, so `forward` must read
# them from `self`.
# %% [markdown es]
# ## La red de dos capas de las clases: `TwoLayerNet`
#
# `TwoLayerNet(n_in, n_hidden, n_out, seed=0)` guarda
#
# - `W1` `(n_hidden, n_in)`, `b1` `(n_hidden, 1)`, `W2` `(n_out, n_hidden)`, `b2` `(n_out, 1)` — los sesgos son **vectores columna**;
#
# y su `forward(x)` calcula, para `x` de forma `(n_in, m)`,
#
# `z1 = W1 x + b1`, `a1 = σ(z1)` (capa oculta sigmoide), `z2 = W2 a1 + b2`, `y = z2` (salida lineal),
#
# y devuelve la tupla `(z1, a1, z2, y)`.
#
# En `__init__`, genera los pesos al azar con el generador
# `np.random.default_rng(seed)`, de modo que la misma semilla dé siempre la misma red (por ejemplo
# `rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)`); los sesgos pueden
# empezar en cero. Los pesos *no* pueden ser todos iguales: si lo fueran, todas
# las unidades ocultas calcularían lo mismo y seguirían siendo idénticas durante
# el entrenamiento. El corrector asigna él mismo `W1, b1, W2, b2` antes de llamar
# a `forward`, así que `forward` debe leerlos de `self`.

# %% [solution id=two_layer_net]
class TwoLayerNet:
    """y = W2 σ(W1 x + b1) + b2: sigmoid hidden layer, linear output.

    W1: (n_hidden, n_in), b1: (n_hidden, 1), W2: (n_out, n_hidden), b2: (n_out, 1).
    """

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        """Random weights from np.random.default_rng(seed); biases may be zeros."""
        ### BEGIN SOLUTION
        rng = np.random.default_rng(seed)
        self.W1 = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = rng.standard_normal((n_out, n_hidden)) / np.sqrt(n_hidden)
        self.b2 = np.zeros((n_out, 1))
        ### END SOLUTION

    def forward(self, x):
        """x: (n_in, m) -> (z1 (n_hidden, m), a1 (n_hidden, m), z2 (n_out, m), y (n_out, m))."""
        ### BEGIN SOLUTION
        z1 = self.W1 @ x + self.b1
        a1 = sigmoid(z1)
        z2 = self.W2 @ a1 + self.b2
        return z1, a1, z2, z2
        ### END SOLUTION

# %% [tests id=two_layer_net]

# %% [markdown]
# ## More activations: softplus, ELU, SELU, swish, GELU
#
# Beyond the sigmoid, tanh and the ReLU family, the lectures meet five smooth
# (or almost smooth) activations used in modern networks. All act elementwise on
# `z` of any shape and return an array of the same shape. Use NumPy and `math`
# only (SciPy is not available where your code is graded).
#
# - **softplus**: `softplus(z) = log(1 + e^{z})`, a smooth ReLU (it tends to `0`
#   for `z → −∞` and to `z` for `z → +∞`). Written as is, `e^{z}` overflows past
#   `z ≈ 709` and the result is `inf`; since `log(1 + e^{z}) = z + log(1 + e^{−z})`,
#   the stable form is `max(z, 0) + log1p(e^{−|z|})` (`np.log1p(x)` is `log(1 + x)`,
#   exact for tiny `x`). It must be right for `|z|` up to 1000.
# - **ELU** (exponential linear unit): `z` for `z > 0`, `alpha·(e^{z} − 1)` for
#   `z ≤ 0` (default `alpha = 1.0`): negative outputs down to `−alpha`, which keep
#   the mean activation near 0.
# - **SELU** (scaled ELU): `λ·ELU(z, α)` with the fixed constants
#   `α = 1.6732632423543772` and `λ = 1.0507009873554805` (Keras' values): chosen
#   so that activations keep mean 0 and variance 1 from layer to layer
#   ("self-normalising" networks).
# - **swish** (also called SiLU): `swish(z) = z·σ(z)`. Like softplus, it must be
#   right for `|z|` up to 1000: `z / (1 + e^{−z})` is (at `z = −1000`, `z/inf = 0`),
#   while `z·e^{z}/(1 + e^{z})` gives `inf/inf = nan` for large `z`.
# - **GELU** (Gaussian error linear unit), used in Transformers:
#   `GELU(z) = z·Φ(z)`, where `Φ` is the standard normal CDF,
#   `Φ(z) = ½(1 + erf(z/√2))`. `math.erf` takes one number: apply it to an array
#   with `np.vectorize(math.erf)` (or a loop). With `approximate=True`, return the
#   tanh approximation `½z(1 + tanh(√(2/π)(z + 0.044715 z³)))` instead, as
#   `keras.activations.gelu(x, approximate=True)` does.
# %% [markdown es]
# ## Más activaciones: softplus, ELU, SELU, swish, GELU
#
# Además de la sigmoide, tanh y la familia ReLU, en clase aparecen cinco
# activaciones suaves (o casi) que usan las redes modernas. Todas actúan elemento
# a elemento sobre `z` de cualquier forma y devuelven un array de la misma forma.
# Usa solo NumPy y `math` (SciPy no está disponible donde se califica tu código).
#
# - **softplus**: `softplus(z) = log(1 + e^{z})`, una ReLU suave (tiende a `0`
#   cuando `z → −∞` y a `z` cuando `z → +∞`). Escrita tal cual, `e^{z}` desborda
#   por encima de `z ≈ 709` y el resultado es `inf`; como
#   `log(1 + e^{z}) = z + log(1 + e^{−z})`, la forma estable es
#   `max(z, 0) + log1p(e^{−|z|})` (`np.log1p(x)` es `log(1 + x)`, exacta para `x`
#   diminutos). Debe ser correcta para `|z|` de hasta 1000.
# - **ELU** (unidad lineal exponencial): `z` para `z > 0`, `alpha·(e^{z} − 1)` para
#   `z ≤ 0` (por defecto `alpha = 1.0`): salidas negativas hasta `−alpha`, que
#   mantienen la activación media cerca de 0.
# - **SELU** (ELU escalada): `λ·ELU(z, α)` con las constantes fijas
#   `α = 1.6732632423543772` y `λ = 1.0507009873554805` (los valores de Keras):
#   elegidas para que las activaciones mantengan media 0 y varianza 1 de capa en
#   capa (redes "autonormalizadas").
# - **swish** (también llamada SiLU): `swish(z) = z·σ(z)`. Como softplus, debe ser
#   correcta para `|z|` de hasta 1000: `z / (1 + e^{−z})` lo es (en `z = −1000`,
#   `z/inf = 0`), mientras que `z·e^{z}/(1 + e^{z})` da `inf/inf = nan` para `z`
#   grandes.
# - **GELU** (unidad lineal de error gaussiano), la de los Transformers:
#   `GELU(z) = z·Φ(z)`, donde `Φ` es la función de distribución de la normal
#   estándar, `Φ(z) = ½(1 + erf(z/√2))`. `math.erf` recibe un solo número:
#   aplícala a un array con `np.vectorize(math.erf)` (o con un bucle). Con
#   `approximate=True`, devuelve en su lugar la aproximación con tanh
#   `½z(1 + tanh(√(2/π)(z + 0.044715 z³)))`, como hace
#   `keras.activations.gelu(x, approximate=True)`.

# %% [solution id=softplus]
def softplus(z):
    """softplus(z) = log(1 + e^z), elementwise; z: (n_k, m) -> (n_k, m). Right for |z| up to 1000."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    ### END SOLUTION

# %% [solution id=elu]
def elu(z, alpha=1.0):
    """ELU: z where z > 0, alpha * (e^z - 1) where z <= 0. z: (n_k, m) -> (n_k, m)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))
    ### END SOLUTION

# %% [solution id=selu]
def selu(z):
    """SELU(z) = λ·ELU(z, α), α = 1.6732632423543772, λ = 1.0507009873554805. z: (n_k, m) -> (n_k, m)."""
    ### BEGIN SOLUTION
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    z = np.asarray(z, dtype=float)
    return scale * np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))
    ### END SOLUTION

# %% [solution id=swish]
def swish(z):
    """swish(z) = z·σ(z), elementwise; z: (n_k, m) -> (n_k, m). Right for |z| up to 1000."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # ≤ 1: no overflow; σ(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0
    return np.where(z >= 0, z / (1.0 + e), z * e / (1.0 + e))
    ### END SOLUTION

# %% [solution id=gelu]
def gelu(z, approximate=False):
    """GELU: z·Φ(z) = ½z(1 + erf(z/√2)); with approximate=True, ½z(1 + tanh(√(2/π)(z + 0.044715 z³))).

    z: (n_k, m) -> (n_k, m).
    """
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    if approximate:
        return 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z ** 3)))
    erf = np.vectorize(math.erf, otypes=[float])
    return 0.5 * z * (1.0 + erf(z / math.sqrt(2.0)))
    ### END SOLUTION

# %% [tests id=other_activations]
