"""ex2 (backward): Backpropagation / Retropropagación.

Fill in the functions, then run `grader check ex2` in this folder.
Completa las funciones y ejecuta `grader check ex2` en esta carpeta.
"""

# # Exercise 2 — Backpropagation
#
# In exercise 1 you computed the forward pass of a multilayer perceptron. Here
# you compute the **gradients** of a cost function with respect to every weight
# and bias, layer by layer from the output back to the input
# (*backpropagation*), and you check them numerically.
#
# Notation of the lectures, examples as **columns** (`m` examples):
#
# - forward: `z(k) = W(k) a(k−1) + b(k)`, `a(k) = f(z(k))`, with `a(0) = x` and `y = a(L)`;
# - `W(k)` has shape `(n_k, n_{k−1})`, `b(k)` is a column `(n_k, 1)`, `z(k)` and `a(k)` are `(n_k, m)`;
# - the cost `J` is a **mean over the m examples**, so every gradient carries a `1/m`.
#
# Backward, with `δ(k) = ∂J/∂z(k)` of shape `(n_k, m)`:
#
# - output layer: `δ(L) = ∂J/∂y ⊙ f'(z(L))`;
# - hidden layers: `δ(k) = (W(k+1)ᵀ δ(k+1)) ⊙ f'(z(k))`;
# - parameters: `∂J/∂W(k) = δ(k) a(k−1)ᵀ` (shape of `W(k)`) and
#   `∂J/∂b(k) = Σ_columns δ(k)` (shape `(n_k, 1)`).
#
# `⊙` is the elementwise product. The `1/m` enters once, in `∂J/∂y`; after that
# the sums over columns add up the contributions of the m examples.
#
# ---
#
# *Español:*
#
# # Ejercicio 2 — Retropropagación
#
# En el ejercicio 1 calculaste la propagación hacia delante de un perceptrón
# multicapa. Aquí calculas los **gradientes** de una función de coste respecto a
# cada peso y sesgo, capa a capa desde la salida hacia la entrada
# (*retropropagación*), y los compruebas numéricamente.
#
# Notación de las clases, con los ejemplos en **columnas** (`m` ejemplos):
#
# - hacia delante: `z(k) = W(k) a(k−1) + b(k)`, `a(k) = f(z(k))`, con `a(0) = x` e `y = a(L)`;
# - `W(k)` tiene forma `(n_k, n_{k−1})`, `b(k)` es una columna `(n_k, 1)`, `z(k)` y `a(k)` son `(n_k, m)`;
# - el coste `J` es una **media sobre los m ejemplos**, así que todo gradiente lleva un `1/m`.
#
# Hacia atrás, con `δ(k) = ∂J/∂z(k)` de forma `(n_k, m)`:
#
# - capa de salida: `δ(L) = ∂J/∂y ⊙ f'(z(L))`;
# - capas ocultas: `δ(k) = (W(k+1)ᵀ δ(k+1)) ⊙ f'(z(k))`;
# - parámetros: `∂J/∂W(k) = δ(k) a(k−1)ᵀ` (forma de `W(k)`) y
#   `∂J/∂b(k) = Σ_columnas δ(k)` (forma `(n_k, 1)`).
#
# `⊙` es el producto elemento a elemento. El `1/m` entra una sola vez, en
# `∂J/∂y`; después, las sumas sobre columnas acumulan las contribuciones de los m
# ejemplos.

import math

import numpy as np

# ## The forward pass (from exercise 1)
#
# This exercise is self-contained: paste here your `sigmoid`, `tanh`, `relu`,
# `softmax` and `mlp_forward` from exercise 1. `mlp_backward` below receives the
# `caches` that **your** `mlp_forward` returns, so store in them what your
# backward pass needs — for instance one pair `(a_prev, z)` per layer.
#
# ---
#
# *Español:*
#
# ## La propagación hacia delante (del ejercicio 1)
#
# Este ejercicio es autónomo: pega aquí tus `sigmoid`, `tanh`, `relu`, `softmax`
# y `mlp_forward` del ejercicio 1. `mlp_backward`, más abajo, recibe los `caches`
# que devuelve **tu** `mlp_forward`, así que guarda en ellos lo que necesite tu
# paso hacia atrás — por ejemplo un par `(a_prev, z)` por capa.

def sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}), elementwise; z of any shape, no overflow for |z| up to 1e3."""
    # YOUR CODE HERE
    raise NotImplementedError()


def tanh(z):
    """tanh(z), elementwise."""
    # YOUR CODE HERE
    raise NotImplementedError()


def relu(z):
    """max(0, z), elementwise."""
    # YOUR CODE HERE
    raise NotImplementedError()


def softmax(z):
    """Softmax over axis 0: z (n_classes, m) -> (n_classes, m), each column sums to 1; stable."""
    # YOUR CODE HERE
    raise NotImplementedError()


def mlp_forward(x, params, activations):
    """Forward pass of an MLP.

    x: (n_0, m); params: [(W1, b1), …, (WL, bL)] with W(k) (n_k, n_{k−1}) and
    b(k) (n_k, 1); activations: one name per layer, among "linear",
    "sigmoid", "tanh", "relu", "softmax".
    Returns (y, caches): y = a(L) of shape (n_L, m); caches: whatever your
    mlp_backward needs, e.g. [(a(0), z(1)), …, (a(L−1), z(L))].
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# ## Derivatives of the activations
#
# Each derivative takes the **pre-activation `z`** (not the activation `a`) and
# returns an array of the same shape:
#
# - `σ'(z) = σ(z) (1 − σ(z))`;
# - `tanh'(z) = 1 − tanh(z)²`;
# - `ReLU'(z) = 1` where `z > 0` and `0` where `z ≤ 0` (the course's convention at `z = 0`).
#
# Careful: the lecture writes `σ' = a(1 − a)` with `a = σ(z)`; here the argument
# is `z`, so compute `σ(z)` first.
#
# ---
#
# *Español:*
#
# ## Derivadas de las activaciones
#
# Cada derivada recibe la **preactivación `z`** (no la activación `a`) y devuelve
# un array de la misma forma:
#
# - `σ'(z) = σ(z) (1 − σ(z))`;
# - `tanh'(z) = 1 − tanh(z)²`;
# - `ReLU'(z) = 1` donde `z > 0` y `0` donde `z ≤ 0` (el convenio del curso en `z = 0`).
#
# Cuidado: en clase se escribe `σ' = a(1 − a)` con `a = σ(z)`; aquí el argumento
# es `z`, así que calcula primero `σ(z)`.

def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)); z of any shape (e.g. (n_k, m)) -> same shape."""
    # YOUR CODE HERE
    raise NotImplementedError()


def tanh_prime(z):
    """tanh'(z) = 1 − tanh(z)²; z of any shape -> same shape."""
    # YOUR CODE HERE
    raise NotImplementedError()


def relu_prime(z):
    """ReLU'(z): 1.0 where z > 0, 0.0 where z <= 0; z of any shape -> same shape (floats)."""
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex2   (cell derivatives)

# ## Cost functions
#
# `y` and `t` have shape `(n_out, m)`; every cost is a **mean over the m columns**
# and returns a number (a Python `float` is best):
#
# - quadratic: `mse_loss(y, t) = (1/m) Σ_columns ½ ‖y − t‖²` (note the `½`);
# - cross-entropy, for softmax outputs `y` and one-hot targets `t`:
#   `cross_entropy_loss(y, t) = −(1/m) Σ t ⊙ log y`;
# - binary cross-entropy, for sigmoid outputs and targets in {0, 1}, summed over
#   the output rows: `−(1/m) Σ [t ⊙ log y + (1 − t) ⊙ log(1 − y)]`.
#
# The inputs satisfy `0 < y < 1` for both cross-entropies, so no clipping is needed.
#
# For a softmax output layer with the cross-entropy cost, the output `δ` has a
# simple form: `δ(L) = ∂J/∂z(L) = (softmax(z(L)) − t) / m`. Write it as
# `softmax_cross_entropy_delta(z, t)`.
#
# ---
#
# *Español:*
#
# ## Funciones de coste
#
# `y` y `t` tienen forma `(n_out, m)`; todo coste es una **media sobre las m
# columnas** y devuelve un número (mejor un `float` de Python):
#
# - cuadrático: `mse_loss(y, t) = (1/m) Σ_columnas ½ ‖y − t‖²` (fíjate en el `½`);
# - entropía cruzada, para salidas softmax `y` y objetivos one-hot `t`:
#   `cross_entropy_loss(y, t) = −(1/m) Σ t ⊙ log y`;
# - entropía cruzada binaria, para salidas sigmoide y objetivos en {0, 1}, sumada
#   sobre las filas de salida: `−(1/m) Σ [t ⊙ log y + (1 − t) ⊙ log(1 − y)]`.
#
# Las entradas cumplen `0 < y < 1` en ambas entropías cruzadas, así que no hace
# falta recortar.
#
# Para una capa de salida softmax con coste de entropía cruzada, el `δ` de salida
# es sencillo: `δ(L) = ∂J/∂z(L) = (softmax(z(L)) − t) / m`. Escríbelo como
# `softmax_cross_entropy_delta(z, t)`.

def mse_loss(y, t):
    """Quadratic cost: y, t (n_out, m) -> float, (1/m) Σ_columns ½‖y − t‖²."""
    # YOUR CODE HERE
    raise NotImplementedError()


def cross_entropy_loss(y, t):
    """Cross-entropy: y softmax outputs (n_classes, m) in (0, 1), t one-hot (n_classes, m) -> float."""
    # YOUR CODE HERE
    raise NotImplementedError()


def binary_cross_entropy_loss(y, t):
    """Binary cross-entropy: y (n_out, m) in (0, 1), t (n_out, m) in {0, 1} -> float.

    Mean over the m columns of the sum over the n_out rows.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def softmax_cross_entropy_delta(z, t):
    """∂J/∂z for y = softmax(z) and J = cross_entropy_loss(y, t).

    z: (n_classes, m) pre-activations; t: (n_classes, m) one-hot -> (n_classes, m), (softmax(z) − t)/m.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex2   (cell losses)

# ## Backward pass of an MLP
#
# `mlp_backward(dy, caches, params, activations)` receives
#
# - `dy = ∂J/∂y`, shape `(n_L, m)`, with the `1/m` of the mean **already inside**
#   (for the quadratic cost, `dy = (y − t)/m`);
# - the `caches` returned by your `mlp_forward`, the same `params` and `activations`.
#
# It returns `[(dW1, db1), …, (dWL, dbL)]`, in the order of `params`, each
# gradient with the shape of its parameter. Go from the last layer to the first:
#
# 1. `δ = ∂J/∂a(k) ⊙ f'(z(k))` — for the last layer too (`f'` is 1 for "linear");
# 2. `dW(k) = δ a(k−1)ᵀ`, `db(k) = Σ_columns δ` (keep the column shape: `keepdims=True`);
# 3. `∂J/∂a(k−1) = W(k)ᵀ δ`, which the next step (layer `k−1`) uses.
#
# The last layer's activation is one of "linear", "sigmoid", "tanh", "relu"
# (a softmax output goes through `softmax_cross_entropy_delta` instead).
#
# ---
#
# *Español:*
#
# ## Paso hacia atrás de un MLP
#
# `mlp_backward(dy, caches, params, activations)` recibe
#
# - `dy = ∂J/∂y`, forma `(n_L, m)`, con el `1/m` de la media **ya incluido**
#   (para el coste cuadrático, `dy = (y − t)/m`);
# - los `caches` que devuelve tu `mlp_forward`, y los mismos `params` y `activations`.
#
# Devuelve `[(dW1, db1), …, (dWL, dbL)]`, en el orden de `params`, cada gradiente
# con la forma de su parámetro. Ve de la última capa a la primera:
#
# 1. `δ = ∂J/∂a(k) ⊙ f'(z(k))` — también en la última capa (`f'` vale 1 para "linear");
# 2. `dW(k) = δ a(k−1)ᵀ`, `db(k) = Σ_columnas δ` (conserva la forma de columna: `keepdims=True`);
# 3. `∂J/∂a(k−1) = W(k)ᵀ δ`, que usa el paso siguiente (capa `k−1`).
#
# La activación de la última capa es una de "linear", "sigmoid", "tanh", "relu"
# (una salida softmax se trata con `softmax_cross_entropy_delta`).

def mlp_backward(dy, caches, params, activations):
    """Backward pass of an MLP.

    dy: (n_L, m) = ∂J/∂y (1/m inside); caches: from your mlp_forward;
    params: [(W1, b1), …, (WL, bL)]; activations: one name per layer.
    Returns [(dW1, db1), …, (dWL, dbL)], dW(k) (n_k, n_{k−1}), db(k) (n_k, 1).
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex2   (cell mlp)

# ## The two-layer network, with its gradients
#
# The network of exercise 1: `y = W2 σ(W1 x + b1) + b2` (sigmoid hidden layer,
# linear output), trained on the quadratic cost `J = mse_loss(y, t)`. Paste
# your `__init__` and `forward` from exercise 1 and add
#
# - `backward(x, t) -> (dW1, db1, dW2, db2)`, the gradients of `mse_loss(y, t)`:
#   `δ2 = (y − t)/m`, `dW2 = δ2 a1ᵀ`, `db2 = Σ_columns δ2`,
#   `δ1 = (W2ᵀ δ2) ⊙ σ'(z1)`, `dW1 = δ1 xᵀ`, `db1 = Σ_columns δ1`;
# - `gradient_step(x, t, eta)`: one step of gradient **descent**, in place:
#   `θ ← θ − η ∂J/∂θ` for `θ` in `W1, b1, W2, b2` (assign the new arrays to the
#   attributes, or update them in place).
#
# The grader sets `W1, b1, W2, b2` itself before calling your methods, so
# always read the parameters from `self`.
#
# ---
#
# *Español:*
#
# ## La red de dos capas, con sus gradientes
#
# La red del ejercicio 1: `y = W2 σ(W1 x + b1) + b2` (capa oculta sigmoide,
# salida lineal), entrenada con el coste cuadrático `J = mse_loss(y, t)`. Pega tu
# `__init__` y tu `forward` del ejercicio 1 y añade
#
# - `backward(x, t) -> (dW1, db1, dW2, db2)`, los gradientes de `mse_loss(y, t)`:
#   `δ2 = (y − t)/m`, `dW2 = δ2 a1ᵀ`, `db2 = Σ_columnas δ2`,
#   `δ1 = (W2ᵀ δ2) ⊙ σ'(z1)`, `dW1 = δ1 xᵀ`, `db1 = Σ_columnas δ1`;
# - `gradient_step(x, t, eta)`: un paso de **descenso** por gradiente, en el
#   sitio: `θ ← θ − η ∂J/∂θ` para `θ` en `W1, b1, W2, b2` (asigna los nuevos
#   arrays a los atributos, o actualízalos en el sitio).
#
# El corrector asigna él mismo `W1, b1, W2, b2` antes de llamar a tus métodos,
# así que lee siempre los parámetros de `self`.

class TwoLayerNet:
    """y = W2 σ(W1 x + b1) + b2.

    W1: (n_hidden, n_in), b1: (n_hidden, 1), W2: (n_out, n_hidden), b2: (n_out, 1).
    """

    def __init__(self, n_in, n_hidden, n_out, seed=0):
        """Random weights from np.random.default_rng(seed) (not all equal), zero biases."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        """x: (n_in, m) -> (z1 (n_hidden, m), a1 (n_hidden, m), z2 (n_out, m), y (n_out, m))."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, x, t):
        """Gradients of mse_loss(y, t): x (n_in, m), t (n_out, m) -> (dW1, db1, dW2, db2), shaped like the parameters."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def gradient_step(self, x, t, eta):
        """One gradient-descent step on mse_loss, in place: θ ← θ − η ∂J/∂θ for W1, b1, W2, b2."""
        # YOUR CODE HERE
        raise NotImplementedError()

# Check: grader check ex2   (cell two_layer_net)

# ## Numerical gradient
#
# How do you know your gradients are right? Compare them with a numerical
# estimate. For a function `f` that takes an array `x` and returns a number,
# the **centered difference** at coordinate `i` is
#
# `∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h)`,
#
# where `e_i` is 1 at position `i` and 0 elsewhere. Its error is `O(h²)`, much
# smaller than the `O(h)` of the one-sided `(f(x + h e_i) − f(x)) / h`.
#
# Write `numerical_gradient(f, x, h=1e-5)`: loop over every coordinate of `x`
# (any shape; `np.ndindex(x.shape)` or `x.reshape(-1)` help), change `x[i]`,
# evaluate `f`, and **put the original value back** before moving on: `x` must
# hold its original values after the call. Return an array shaped like `x`.
#
# ---
#
# *Español:*
#
# ## Gradiente numérico
#
# ¿Cómo sabes que tus gradientes son correctos? Compáralos con una estimación
# numérica. Para una función `f` que recibe un array `x` y devuelve un número, la
# **diferencia centrada** en la coordenada `i` es
#
# `∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h)`,
#
# donde `e_i` vale 1 en la posición `i` y 0 en el resto. Su error es `O(h²)`,
# mucho menor que el `O(h)` de la diferencia de un solo lado
# `(f(x + h e_i) − f(x)) / h`.
#
# Escribe `numerical_gradient(f, x, h=1e-5)`: recorre cada coordenada de `x`
# (de cualquier forma; `np.ndindex(x.shape)` o `x.reshape(-1)` ayudan), cambia
# `x[i]`, evalúa `f` y **restaura el valor original** antes de seguir: `x` debe
# conservar sus valores originales tras la llamada. Devuelve un array con la
# forma de `x`.

def numerical_gradient(f, x, h=1e-5):
    """Centered differences: f maps an array shaped like x to a float; x float64 of any shape.

    Returns grad shaped like x, grad[i] = (f(x + h e_i) − f(x − h e_i)) / (2h); x is restored.
    """
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex2   (cell numerical_gradient)

# ## Derivatives of the other activations
#
# Exercise 1 added softplus, ELU, SELU, swish and GELU. Their derivatives, as the
# three above, take the **pre-activation `z`** and return an array of its shape:
#
# - `softplus'(z) = e^{z}/(1 + e^{z}) = σ(z)`: the softplus is the integral of the sigmoid;
# - `ELU'(z) = 1` for `z > 0` and `alpha·e^{z}` for `z ≤ 0` (the derivative of
#   `alpha·(e^{z} − 1)`), default `alpha = 1.0`;
# - `SELU'(z) = λ` for `z > 0` and `λα·e^{z}` for `z ≤ 0`, with
#   `α = 1.6732632423543772`, `λ = 1.0507009873554805`;
# - swish, by the product rule: `(z·σ(z))' = σ(z) + z·σ'(z) = σ(z) + z·σ(z)(1 − σ(z))`;
# - GELU (the exact one), by the product rule: `(z·Φ(z))' = Φ(z) + z·φ(z)`, with
#   `Φ(z) = ½(1 + erf(z/√2))` and the standard normal density
#   `φ(z) = Φ'(z) = e^{−z²/2}/√(2π)` (`math.erf` on each entry: `np.vectorize(math.erf)`).
#
# ELU (for `alpha ≠ 1`) and SELU have a kink at `z = 0`: take the `z ≤ 0` branch
# there (`alpha` and `λα`), as `relu_prime` does (`np.where(z > 0, …, …)`).
#
# ---
#
# *Español:*
#
# ## Derivadas de las otras activaciones
#
# El ejercicio 1 añadió softplus, ELU, SELU, swish y GELU. Sus derivadas, como las
# tres de arriba, reciben la **preactivación `z`** y devuelven un array de su forma:
#
# - `softplus'(z) = e^{z}/(1 + e^{z}) = σ(z)`: la softplus es la integral de la sigmoide;
# - `ELU'(z) = 1` para `z > 0` y `alpha·e^{z}` para `z ≤ 0` (la derivada de
#   `alpha·(e^{z} − 1)`), por defecto `alpha = 1.0`;
# - `SELU'(z) = λ` para `z > 0` y `λα·e^{z}` para `z ≤ 0`, con
#   `α = 1.6732632423543772`, `λ = 1.0507009873554805`;
# - swish, por la regla del producto: `(z·σ(z))' = σ(z) + z·σ'(z) = σ(z) + z·σ(z)(1 − σ(z))`;
# - GELU (la exacta), por la regla del producto: `(z·Φ(z))' = Φ(z) + z·φ(z)`, con
#   `Φ(z) = ½(1 + erf(z/√2))` y la densidad de la normal estándar
#   `φ(z) = Φ'(z) = e^{−z²/2}/√(2π)` (`math.erf` en cada elemento: `np.vectorize(math.erf)`).
#
# La ELU (con `alpha ≠ 1`) y la SELU tienen un punto anguloso en `z = 0`: toma ahí
# la rama `z ≤ 0` (`alpha` y `λα`), como hace `relu_prime` (`np.where(z > 0, …, …)`).

def softplus_prime(z):
    """softplus'(z) = σ(z); z of any shape -> same shape."""
    # YOUR CODE HERE
    raise NotImplementedError()


def elu_prime(z, alpha=1.0):
    """ELU'(z): 1 where z > 0, alpha * e^z where z <= 0; z of any shape -> same shape."""
    # YOUR CODE HERE
    raise NotImplementedError()


def selu_prime(z):
    """SELU'(z): λ where z > 0, λα·e^z where z <= 0 (α = 1.6732632423543772, λ = 1.0507009873554805)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def swish_prime(z):
    """swish'(z) = σ(z) + z·σ(z)(1 − σ(z)); z of any shape -> same shape."""
    # YOUR CODE HERE
    raise NotImplementedError()


def gelu_prime(z):
    """GELU'(z) = Φ(z) + z·φ(z) (the exact GELU); z of any shape -> same shape."""
    # YOUR CODE HERE
    raise NotImplementedError()

# Check: grader check ex2   (cell other_derivatives)
