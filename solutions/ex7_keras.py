# %% [markdown]
# # Exercise 7 — Keras models
#
# Keras builds the networks of the previous exercises from layers. A `Dense(n)`
# layer computes `a = f(W a_prev + b)` — Keras stores the examples as *rows*, so its
# kernel is `Wᵀ`, of shape `(n_{k−1}, n_k)`, and it has `(n_{k−1} + 1)·n_k` parameters.
#
# You write three functions. The grader trains your models itself (same data, same
# number of epochs, `EarlyStopping` on a validation split) and measures their accuracy
# on a test split your code never sees. Build your models with `keras.Input(shape=...)`
# first and **compile** them (optimizer, loss, `metrics=["accuracy"]`).
# %% [markdown es]
# # Ejercicio 7 — Modelos en Keras
#
# Keras construye las redes de los ejercicios anteriores a partir de capas. Una capa
# `Dense(n)` calcula `a = f(W a_prev + b)` — Keras guarda los ejemplos como *filas*, así
# que su kernel es `Wᵀ`, de forma `(n_{k−1}, n_k)`, y tiene `(n_{k−1} + 1)·n_k` parámetros.
#
# Escribes tres funciones. El corrector entrena tus modelos (mismos datos, mismo número
# de épocas, `EarlyStopping` sobre una partición de validación) y mide su exactitud en
# una partición de test que tu código nunca ve. Construye los modelos empezando por
# `keras.Input(shape=...)` y **compílalos** (optimizador, pérdida, `metrics=["accuracy"]`).

# %% [code]
import keras

# %% [markdown]
# ## `count_params(layer_sizes) -> int`
#
# The number of trainable parameters of a fully connected network with the given layer
# sizes, e.g. `[784, 10]` has `784·10 + 10 = 7850`.
# %% [markdown es]
# ## `count_params(layer_sizes) -> int`
#
# El número de parámetros entrenables de una red totalmente conectada con esos tamaños
# de capa; por ejemplo, `[784, 10]` tiene `784·10 + 10 = 7850`.

# %% [solution id=count_params]
def count_params(layer_sizes):
    """layer_sizes: [n_0, n_1, …, n_L]. Returns Σ_k (n_{k−1} + 1)·n_k."""
    ### BEGIN SOLUTION
    return int(sum((n_in + 1) * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))
    ### END SOLUTION

# %% [tests id=count_params]

# %% [markdown]
# ## `build_xor_model() -> keras.Model`
#
# The lecture's XOR network: 2 inputs, one hidden layer, 1 sigmoid output (or 2 softmax
# outputs). The grader trains it for up to 500 epochs on the four XOR points (batch of 4)
# and it must classify all four correctly. A hidden layer of a few `tanh` units and Adam
# with a learning rate around 0.05 work well.
# %% [markdown es]
# ## `build_xor_model() -> keras.Model`
#
# La red XOR de clase: 2 entradas, una capa oculta y 1 salida sigmoide (o 2 salidas
# softmax). El corrector la entrena hasta 500 épocas con los cuatro puntos de XOR (lote de 4)
# y debe clasificar bien los cuatro. Una capa oculta con unas pocas unidades `tanh` y Adam
# con una tasa de aprendizaje de unos 0.05 funcionan bien.

# %% [solution id=xor]
def build_xor_model():
    """A compiled model from 2 inputs to 1 sigmoid output (examples as rows)."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(8, activation="tanh"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model
    ### END SOLUTION

# %% [tests id=xor]

# %% [markdown]
# ## `build_digits_model(n_features, n_classes) -> keras.Model`
#
# A classifier of the 8×8 digits (pixels scaled to [0, 1], one-hot targets) with the
# three regularisation tools of the lectures:
#
# - an L2 penalty on the weights of every `Dense` layer: `kernel_regularizer=keras.regularizers.L2(λ)`;
# - a `Dropout` layer (`rate` is the probability of *dropping* a unit, 1 − p);
# - a `BatchNormalization` layer;
#
# and a softmax output of `n_classes` units, compiled with `categorical_crossentropy`.
# %% [markdown es]
# ## `build_digits_model(n_features, n_classes) -> keras.Model`
#
# Un clasificador de los dígitos 8×8 (píxeles escalados a [0, 1], objetivos one-hot) con las
# tres herramientas de regularización de clase:
#
# - una penalización L2 sobre los pesos de cada capa `Dense`: `kernel_regularizer=keras.regularizers.L2(λ)`;
# - una capa `Dropout` (`rate` es la probabilidad de *apagar* una unidad, 1 − p);
# - una capa `BatchNormalization`;
#
# y una salida softmax de `n_classes` unidades, compilada con `categorical_crossentropy`.

# %% [solution id=digits]
def build_digits_model(n_features, n_classes):
    """A compiled classifier from n_features inputs to n_classes softmax outputs (examples as rows)."""
    ### BEGIN SOLUTION
    l2 = keras.regularizers.L2(1e-4)
    model = keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.Dense(64, kernel_regularizer=l2),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(n_classes, activation="softmax", kernel_regularizer=l2),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model
    ### END SOLUTION

# %% [tests id=digits]
