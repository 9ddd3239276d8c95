# %% [markdown]
# # Exercise 6 — Training an MLP in NumPy
#
# Time to put the pieces of exercises 1–5 together: a forward pass, the
# gradients of the cross-entropy, an optimizer, mini-batches — and train a
# network that **generalises** to data it has never seen.
#
# You write one function:
#
#     predict, history = train(X, T, seed)
#
# - `X`: training inputs, shape `(n_features, m)`, one example per **column**, *raw*
#   (the digits' pixels are integers from 0 to 16);
# - `T`: one-hot targets, shape `(n_classes, m)` (two rows for make_moons);
# - `seed`: an integer: draw everything random (initial weights, mini-batch
#   order) from `np.random.default_rng(seed)`, so the same call always trains
#   the same network and your grade is reproducible;
# - `predict(X_new)`: a function that you return; it takes inputs `(n_features, m')`,
#   raw like `X`, and returns the predicted **class labels**, integers of shape `(m',)`;
# - `history`: your learning curves, a dict like Keras' `History.history`
#   (`"loss"`, `"accuracy"`, `"val_loss"`, `"val_accuracy"`, one number per
#   epoch). It is not scored: your feedback page draws it and says whether
#   the network underfits or overfits. `train` may also return `predict` alone.
#
# The grader calls `train` on a training split and `predict` on a test split,
# and computes the accuracy itself, against test labels your code never sees:
#
# | data set | features | classes | train / test | accuracy needed |
# |---|---|---|---|---|
# | `make_moons` (noise 0.2) | 2 | 2 | 500 / 1000 | 0.92 |
# | scikit-learn's 8×8 digits | 64 | 10 | 1348 / 449 | 0.92 |
#
# A linear model gets about 0.87 on the moons: you need a hidden layer. The
# hidden checks repeat both on fresh splits and seeds. Each call of `train`
# must finish within **25 s** (the reference solution takes well under one
# second).
#
# **NumPy only.** The grader runs your file with NumPy and the standard
# library alone: no scikit-learn, TensorFlow/Keras or PyTorch. Put anything
# else you use to experiment (loading data, plotting) inside an
# `if __name__ == "__main__":` block, as in the last cell: Jupyter runs it,
# the grader skips it.
# %% [markdown es]
# # Ejercicio 6 — Entrenar un MLP con NumPy
#
# Es hora de juntar las piezas de los ejercicios 1–5: la propagación hacia
# delante, los gradientes de la entropía cruzada, un optimizador, minilotes — y
# entrenar una red que **generalice** a datos que nunca ha visto.
#
# Escribes una función:
#
#     predict, history = train(X, T, seed)
#
# - `X`: entradas de entrenamiento, forma `(n_features, m)`, un ejemplo por **columna**, *en bruto*
#   (los píxeles de los dígitos son enteros de 0 a 16);
# - `T`: objetivos one-hot, forma `(n_classes, m)` (dos filas en make_moons);
# - `seed`: un entero: genera todo lo aleatorio (pesos iniciales, orden de los
#   minilotes) con `np.random.default_rng(seed)`, para que la misma llamada
#   entrene siempre la misma red y tu nota sea reproducible;
# - `predict(X_new)`: una función que devuelves; recibe entradas `(n_features, m')`,
#   en bruto como `X`, y devuelve las **etiquetas de clase** predichas, enteros de forma `(m',)`;
# - `history`: tus curvas de aprendizaje, un dict como el `History.history` de
#   Keras (`"loss"`, `"accuracy"`, `"val_loss"`, `"val_accuracy"`, un número
#   por época). No puntúa: tu página de comentarios lo dibuja y dice si la red
#   sufre subajuste o sobreajuste. `train` también puede devolver solo `predict`.
#
# El corrector llama a `train` con una partición de entrenamiento y a `predict`
# con una de test, y calcula él mismo la exactitud, con etiquetas de test que tu
# código nunca ve:
#
# | conjunto | características | clases | entrenamiento / test | exactitud necesaria |
# |---|---|---|---|---|
# | `make_moons` (ruido 0.2) | 2 | 2 | 500 / 1000 | 0.92 |
# | dígitos 8×8 de scikit-learn | 64 | 10 | 1348 / 449 | 0.92 |
#
# Un modelo lineal obtiene alrededor de 0.87 en las lunas: necesitas una capa
# oculta. Las comprobaciones ocultas repiten ambas con particiones y semillas
# nuevas. Cada llamada a `train` debe terminar en **25 s** (la solución de
# referencia tarda bastante menos de un segundo).
#
# **Solo NumPy.** El corrector ejecuta tu fichero solo con NumPy y la
# biblioteca estándar: sin scikit-learn, TensorFlow/Keras ni PyTorch. Pon lo
# demás que uses para experimentar (cargar datos, hacer gráficas) dentro de un
# bloque `if __name__ == "__main__":`, como en la última celda: Jupyter lo
# ejecuta y el corrector no.

# %% [code]
import numpy as np

# %% [markdown]
# ## The building blocks (exercises 1, 2 and 5)
#
# One hidden layer is enough here. With examples as columns:
#
# - forward: `z(1) = W(1) x + b(1)`, `a(1) = relu(z(1))`, `z(2) = W(2) a(1) + b(2)`, `y = softmax(z(2))`;
# - `W(1)` is `(n_hidden, n_features)`, `W(2)` is `(n_classes, n_hidden)`, the `b(k)` are columns `(n_k, 1)`;
# - cost: the mean cross-entropy over the `m` examples of a mini-batch,
#   `J = −(1/m) Σ t log y`, plus an optional L2 penalty `λ Σ w²` on the weights (exercise 4);
# - backward: softmax and cross-entropy together give `δ(2) = (y − t)/m`;
#   then `∂J/∂W(2) = δ(2) a(1)ᵀ + 2λW(2)`, `∂J/∂b(2) = Σ_columns δ(2)`,
#   `δ(1) = (W(2)ᵀ δ(2)) ⊙ relu'(z(1))`, `∂J/∂W(1) = δ(1) xᵀ + 2λW(1)`, `∂J/∂b(1) = Σ_columns δ(1)`;
# - initialisation: He for the ReLU layer, `W(1) ~ N(0, 2/n_features)`,
#   Glorot for the output layer, `W(2) ~ N(0, 2/(n_hidden + n_classes))`, biases at zero;
# - optimizer: Adam from exercise 5, one `config` per parameter array.
#
# Keep the parameters in a dict `{"W1": …, "b1": …, "W2": …, "b2": …}` and
# the gradients in a dict with the same keys: the optimizer step is then one
# loop over the keys. These helpers are yours to shape: the grader only calls
# `train`.
# %% [markdown es]
# ## Las piezas (ejercicios 1, 2 y 5)
#
# Aquí basta con una capa oculta. Con los ejemplos en columnas:
#
# - hacia delante: `z(1) = W(1) x + b(1)`, `a(1) = relu(z(1))`, `z(2) = W(2) a(1) + b(2)`, `y = softmax(z(2))`;
# - `W(1)` es `(n_hidden, n_features)`, `W(2)` es `(n_classes, n_hidden)`, los `b(k)` son columnas `(n_k, 1)`;
# - coste: la entropía cruzada media sobre los `m` ejemplos de un minilote,
#   `J = −(1/m) Σ t log y`, más una penalización L2 opcional `λ Σ w²` sobre los pesos (ejercicio 4);
# - hacia atrás: softmax y entropía cruzada juntas dan `δ(2) = (y − t)/m`;
#   luego `∂J/∂W(2) = δ(2) a(1)ᵀ + 2λW(2)`, `∂J/∂b(2) = Σ_columnas δ(2)`,
#   `δ(1) = (W(2)ᵀ δ(2)) ⊙ relu'(z(1))`, `∂J/∂W(1) = δ(1) xᵀ + 2λW(1)`, `∂J/∂b(1) = Σ_columnas δ(1)`;
# - inicialización: He para la capa ReLU, `W(1) ~ N(0, 2/n_features)`,
#   Glorot para la capa de salida, `W(2) ~ N(0, 2/(n_hidden + n_classes))`, sesgos a cero;
# - optimizador: Adam del ejercicio 5, un `config` por cada array de parámetros.
#
# Guarda los parámetros en un dict `{"W1": …, "b1": …, "W2": …, "b2": …}` y los
# gradientes en un dict con las mismas claves: el paso del optimizador es
# entonces un bucle sobre las claves. Estas funciones auxiliares son tuyas: el
# corrector solo llama a `train`.

# %% [solution id=blocks]
def relu(z):
    """max(0, z), elementwise."""
    ### BEGIN SOLUTION
    return np.maximum(z, 0.0)
    ### END SOLUTION


def softmax(z):
    """Softmax over axis 0: z (n_classes, m) -> (n_classes, m), columns sum to 1; stable for large |z|."""
    ### BEGIN SOLUTION
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
    ### END SOLUTION


def init_params(n_in, n_hidden, n_out, rng):
    """He-initialised ReLU layer and Glorot-initialised output layer; zero biases.

    rng: a numpy Generator. Returns {"W1": (n_hidden, n_in), "b1": (n_hidden, 1),
    "W2": (n_out, n_hidden), "b2": (n_out, 1)}.
    """
    ### BEGIN SOLUTION
    return {
        "W1": rng.standard_normal((n_hidden, n_in)) * np.sqrt(2.0 / n_in),
        "b1": np.zeros((n_hidden, 1)),
        "W2": rng.standard_normal((n_out, n_hidden)) * np.sqrt(2.0 / (n_hidden + n_out)),
        "b2": np.zeros((n_out, 1)),
    }
    ### END SOLUTION


def forward(X, params):
    """X (n_in, m) -> (y, cache): y = softmax output (n_out, m); cache holds what backward needs."""
    ### BEGIN SOLUTION
    z1 = params["W1"] @ X + params["b1"]
    a1 = relu(z1)
    y = softmax(params["W2"] @ a1 + params["b2"])
    return y, (X, z1, a1)
    ### END SOLUTION


def backward(T, y, cache, params, lam=0.0):
    """Gradients of the mean cross-entropy (+ lam·Σw² over W1 and W2).

    T: one-hot (n_out, m); y: softmax output (n_out, m); cache from forward.
    Returns {"W1": …, "b1": …, "W2": …, "b2": …}, each of its parameter's shape.
    """
    ### BEGIN SOLUTION
    X, z1, a1 = cache
    delta2 = (y - T) / T.shape[1]
    delta1 = (params["W2"].T @ delta2) * (z1 > 0)
    return {
        "W1": delta1 @ X.T + 2 * lam * params["W1"],
        "b1": delta1.sum(axis=1, keepdims=True),
        "W2": delta2 @ a1.T + 2 * lam * params["W2"],
        "b2": delta2.sum(axis=1, keepdims=True),
    }
    ### END SOLUTION


def adam(w, dw, config=None):
    """Adam, as in exercise 5: returns (next_w, config); state m, v, t lives in config."""
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
    # TODO: increment t before using it; update m and v; step with the bias-corrected m_hat and v_hat.
    ### BEGIN SOLUTION
    config["t"] += 1
    b1, b2 = config["beta1"], config["beta2"]
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw**2
    m_hat = config["m"] / (1 - b1 ** config["t"])
    v_hat = config["v"] / (1 - b2 ** config["t"])
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    ### END SOLUTION
    return next_w, config

# %% [markdown]
# ## `train(X, T, seed) -> (predict, history)`
#
# 1. **Hold out a validation part**: draw a permutation of the `m` columns with a
#    generator `rng` made by `np.random.default_rng(seed)`, keep 20 % of them
#    apart (`X_val`, `T_val`) and train on the other 80 %. The grader's test
#    data stays hidden: the validation part is how *you* see whether the
#    network generalises (bias and variance, lecture 3).
# 2. **Standardise** the inputs: compute the mean and standard deviation of
#    every feature (every *row*) on the training part, and use
#    `(X − mean) / std`; a feature that is constant there (a pixel always 0)
#    has `std = 0`: use 1 there. `predict` must apply the *same* mean and std
#    to its own raw inputs.
# 3. **Initialise** the weights with the same `rng`.
# 4. **Train** with mini-batches: each epoch, shuffle the training columns with
#    `rng.permutation` and take them in slices of `batch_size`; for each
#    slice, forward, backward, and one optimizer step per parameter array.
#    The solution uses 64 hidden units, at most 200 epochs of mini-batches of
#    64, Adam with a learning rate decaying linearly from 0.01 to 0.001, and
#    `λ = 1e-4`; other reasonable choices work too.
# 5. **Record the learning curves** at the end of every epoch, like Keras'
#    `History.history`: the mean cross-entropy and the accuracy on the
#    training part (`"loss"`, `"accuracy"`) and on the validation part
#    (`"val_loss"`, `"val_accuracy"`), one number per epoch.
# 6. **Early stopping**: keep a copy of the parameters of the epoch with the
#    lowest validation loss, and stop when it has not improved for `patience`
#    (10) epochs; `predict` uses those best parameters.
# 7. **Return** `(predict, history)`: `predict` is a function defined *inside*
#    `train` (it sees the best parameters, the mean and the std) whose label
#    for a column is the row of its largest output, `np.argmax(…, axis=0)`;
#    `history` is the dict of the four lists. The grader scores `predict`
#    only; it draws your `history` on your feedback page (public make_moons
#    run) with a diagnosis: underfitting, overfitting or fine. Returning
#    `predict` alone is still accepted.
# %% [markdown es]
# ## `train(X, T, seed) -> (predict, history)`
#
# 1. **Aparta una parte de validación**: saca una permutación de las `m`
#    columnas con un generador `rng` creado con `np.random.default_rng(seed)`,
#    reserva el 20 % (`X_val`, `T_val`) y entrena con el 80 % restante. Los
#    datos de test del corrector siguen ocultos: la parte de validación es como
#    *tú* ves si la red generaliza (sesgo y varianza, tema 3).
# 2. **Estandariza** las entradas: calcula la media y la desviación típica de
#    cada característica (cada *fila*) con la parte de entrenamiento y usa
#    `(X − media) / std`; una característica constante ahí (un píxel siempre a
#    0) tiene `std = 0`: usa 1 ahí. `predict` debe aplicar la *misma* media y
#    std a sus propias entradas en bruto.
# 3. **Inicializa** los pesos con el mismo `rng`.
# 4. **Entrena** con minilotes: en cada época, baraja las columnas de
#    entrenamiento con `rng.permutation` y tómalas en trozos de `batch_size`;
#    para cada trozo, hacia delante, hacia atrás y un paso del optimizador por
#    cada array de parámetros. La solución usa 64 unidades ocultas, como mucho
#    200 épocas de minilotes de 64, Adam con una tasa de aprendizaje que baja
#    linealmente de 0.01 a 0.001, y `λ = 1e-4`; otras elecciones razonables
#    también sirven.
# 5. **Registra las curvas de aprendizaje** al final de cada época, como el
#    `History.history` de Keras: la entropía cruzada media y la exactitud en la
#    parte de entrenamiento (`"loss"`, `"accuracy"`) y en la de validación
#    (`"val_loss"`, `"val_accuracy"`), un número por época.
# 6. **Parada temprana**: guarda una copia de los parámetros de la época con la
#    menor pérdida de validación y para cuando no haya mejorado en `patience`
#    (10) épocas; `predict` usa esos mejores parámetros.
# 7. **Devuelve** `(predict, history)`: `predict` es una función definida
#    *dentro* de `train` (ve los mejores parámetros, la media y la std) cuya
#    etiqueta para una columna es la fila de su mayor salida,
#    `np.argmax(…, axis=0)`; `history` es el dict de las cuatro listas. El
#    corrector puntúa solo `predict`; dibuja tu `history` en tu página de
#    comentarios (la ejecución pública con make_moons) con un diagnóstico:
#    subajuste, sobreajuste o bien. Devolver solo `predict` también se acepta.

# %% [solution id=train]
def evaluate(X, T, params):
    """Mean cross-entropy and accuracy of the network on X (n_in, m), one-hot T (n_out, m): (loss, accuracy)."""
    ### BEGIN SOLUTION
    y, _ = forward(X, params)
    loss = float(-np.mean(np.sum(T * np.log(np.maximum(y, 1e-12)), axis=0)))
    accuracy = float(np.mean(np.argmax(y, axis=0) == np.argmax(T, axis=0)))
    return loss, accuracy
    ### END SOLUTION


def train(X, T, seed, n_hidden=64, epochs=200, batch_size=64, learning_rate=0.01, lam=1e-4,
          val_fraction=0.2, patience=10):
    """Train a one-hidden-layer ReLU network with softmax output, with early stopping on a validation part.

    X: raw inputs (n_features, m); T: one-hot targets (n_classes, m); seed: int.
    Returns (predict, history): predict maps raw inputs (n_features, m') to integer
    labels of shape (m',); history = {"loss", "accuracy", "val_loss", "val_accuracy"},
    one float per epoch each (training part, then validation part).
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    order = rng.permutation(X.shape[1])
    n_val = int(round(val_fraction * X.shape[1]))
    val, fit = order[:n_val], order[n_val:]
    mean = X[:, fit].mean(axis=1, keepdims=True)
    std = X[:, fit].std(axis=1, keepdims=True)
    std[std == 0] = 1.0
    X_fit, T_fit = (X[:, fit] - mean) / std, T[:, fit]
    X_val, T_val = (X[:, val] - mean) / std, T[:, val]
    m = X_fit.shape[1]
    params = init_params(X.shape[0], n_hidden, T.shape[0], rng)
    configs = {key: {} for key in params}
    steps = epochs * -(-m // batch_size)  # mini-batches in the whole run, for the learning-rate decay
    step = 0
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    best_loss, best_params, waited = np.inf, params, 0
    for epoch in range(epochs):
        shuffled = rng.permutation(m)
        for start in range(0, m, batch_size):
            batch = shuffled[start:start + batch_size]
            y, cache = forward(X_fit[:, batch], params)
            grads = backward(T_fit[:, batch], y, cache, params, lam)
            rate = learning_rate * (1 - 0.9 * step / steps)
            for key in params:
                configs[key]["learning_rate"] = rate
                params[key], configs[key] = adam(params[key], grads[key], configs[key])
            step += 1
        loss, accuracy = evaluate(X_fit, T_fit, params)
        val_loss, val_accuracy = evaluate(X_val, T_val, params)
        for key, value in zip(history, (loss, accuracy, val_loss, val_accuracy)):
            history[key].append(value)
        if val_loss < best_loss:  # early stopping, evaluated each epoch: keep the best weights
            best_loss, best_params, waited = val_loss, {key: p.copy() for key, p in params.items()}, 0
        else:
            waited += 1
            if waited >= patience:
                break

    def predict(X_new):
        scores, _ = forward((X_new - mean) / std, best_params)
        return np.argmax(scores, axis=0)

    return predict, history
    ### END SOLUTION

# %% [tests id=train]

# %% [markdown]
# ## Try it
#
# This cell trains on make_moons and prints the test accuracy. It imports
# scikit-learn, so it sits inside `if __name__ == "__main__":` — Jupyter (and
# `python ex6_train_numpy.py`) run it, the grader does not.
# %% [markdown es]
# ## Pruébalo
#
# Esta celda entrena con make_moons y muestra la exactitud en test. Importa
# scikit-learn, así que está dentro de `if __name__ == "__main__":` — Jupyter
# (y `python ex6_train_numpy.py`) la ejecutan, el corrector no.

# %% [code]
if __name__ == "__main__":
    from sklearn.datasets import make_moons

    X_all, y_all = make_moons(n_samples=1500, noise=0.2, random_state=0)
    X_all = X_all.T                                   # examples as columns: (2, 1500)
    T_train = np.eye(2)[y_all[:500]].T                # one-hot targets: (2, 500)
    predict_moons, history = train(X_all[:, :500], T_train, seed=0)
    print("test accuracy:", np.mean(predict_moons(X_all[:, 500:]) == y_all[500:]))
    print(f"{len(history['loss'])} epochs; lowest validation loss {min(history['val_loss']):.3f}")
