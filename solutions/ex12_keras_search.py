# %% [markdown]
# # Exercise 12 — Tuning a Keras model: scikit-learn's grid search and Bayesian optimisation
#
# A Keras network has hyper-parameters too — the hidden units, the learning rate, the
# dropout rate — and the lectures choose them the same way as in exercise 9: by
# cross-validation on the training set, never on the test set. scikit-learn's searches
# work with any *estimator* (an object with `fit`, `predict` and `get_params`); Keras 3
# ships the adapter: `keras.wrappers.SKLearnClassifier(model=build_model, …)` is a
# scikit-learn classifier that calls your `build_model` to make a fresh compiled model
# each time it is fitted.
#
# The data is **Fashion-MNIST**: 28×28 grey images of ten kinds of clothing (T-shirt,
# trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot). The grader
# gives you 1500 training images; it keeps 1000 test images to itself.
#
# You write three functions:
#
# 1. `build_model(X, y, n_hidden, learning_rate, dropout)` — the network;
# 2. `search(X, y, seed)` — a `GridSearchCV` over it with k-fold cross-validation;
# 3. `tune(X, y, seed)` — the same choice made by **Bayesian optimisation** with the
#    `bayesian-optimization` package.
# %% [markdown es]
# # Ejercicio 12 — Ajustar un modelo de Keras: la búsqueda en rejilla de scikit-learn y la optimización bayesiana
#
# Una red de Keras también tiene hiperparámetros — las unidades ocultas, la tasa de
# aprendizaje, la tasa de dropout — y en clase se eligen igual que en el ejercicio 9: con
# validación cruzada sobre el conjunto de entrenamiento, nunca con el de test. Las
# búsquedas de scikit-learn funcionan con cualquier *estimador* (un objeto con `fit`,
# `predict` y `get_params`); Keras 3 trae el adaptador:
# `keras.wrappers.SKLearnClassifier(model=build_model, …)` es un clasificador de
# scikit-learn que llama a tu `build_model` para crear un modelo compilado nuevo cada vez
# que se ajusta.
#
# Los datos son **Fashion-MNIST**: imágenes grises de 28×28 de diez tipos de prendas
# (camiseta, pantalón, jersey, vestido, abrigo, sandalia, camisa, zapatilla, bolso,
# botín). El corrector te da 1500 imágenes de entrenamiento y se guarda 1000 de test.
#
# Escribes tres funciones:
#
# 1. `build_model(X, y, n_hidden, learning_rate, dropout)` — la red;
# 2. `search(X, y, seed)` — un `GridSearchCV` sobre ella con validación cruzada de k pliegues;
# 3. `tune(X, y, seed)` — la misma elección hecha con **optimización bayesiana** mediante el
#    paquete `bayesian-optimization`.

# %% [markdown]
# ## Data layout: rows, as scikit-learn and Keras want
#
# `X` has shape `(m, 784)` — one image per **row**, its pixels scaled to [0, 1],
# float32 — and `y` shape `(m,)` with integer labels 0–9.
# %% [markdown es]
# ## Disposición de los datos: filas, como quieren scikit-learn y Keras
#
# `X` tiene forma `(m, 784)` — una imagen por **fila**, con los píxeles escalados a [0, 1],
# float32 — e `y` forma `(m,)` con etiquetas enteras 0–9.

# %% [code]
import keras
import numpy as np
from bayes_opt import BayesianOptimization
from keras.wrappers import SKLearnClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split

# %% [markdown]
# ## `build_model(X, y, n_hidden=64, learning_rate=1e-3, dropout=0.0) -> keras.Model`
#
# `SKLearnClassifier` calls `build_model(X=X, y=y, **model_kwargs)` with the training
# inputs and the **one-hot** targets (it encodes the labels itself): `y` has shape
# `(m, n_classes)`. Read the sizes from them — `X.shape[1]` inputs, `y.shape[1]`
# outputs — never write 784 or 10. Return a **compiled** model:
#
# - `keras.Input(shape=(n_features,))`;
# - a hidden `Dense(n_hidden)` layer with ReLU;
# - a `Dropout(dropout)` layer;
# - a `Dense(n_classes)` softmax output;
# - compiled with `Adam(learning_rate=learning_rate)`, `categorical_crossentropy` and
#   `metrics=["accuracy"]`.
#
# The grader calls it with other sizes and hyper-parameters and checks that each one
# is used.
# %% [markdown es]
# ## `build_model(X, y, n_hidden=64, learning_rate=1e-3, dropout=0.0) -> keras.Model`
#
# `SKLearnClassifier` llama a `build_model(X=X, y=y, **model_kwargs)` con las entradas de
# entrenamiento y los objetivos **one-hot** (codifica las etiquetas él mismo): `y` tiene
# forma `(m, n_clases)`. Lee los tamaños de ahí — `X.shape[1]` entradas, `y.shape[1]`
# salidas —; no escribas 784 ni 10. Devuelve un modelo **compilado**:
#
# - `keras.Input(shape=(n_features,))`;
# - una capa oculta `Dense(n_hidden)` con ReLU;
# - una capa `Dropout(dropout)`;
# - una salida `Dense(n_clases)` softmax;
# - compilado con `Adam(learning_rate=learning_rate)`, `categorical_crossentropy` y
#   `metrics=["accuracy"]`.
#
# El corrector la llama con otros tamaños e hiperparámetros y comprueba que usa cada uno.

# %% [solution id=build_model]
def build_model(X, y, n_hidden=64, learning_rate=1e-3, dropout=0.0):
    """X: (m, n_features) inputs; y: (m, n_classes) one-hot targets. Returns a compiled keras.Model."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(X.shape[1],)),
        keras.layers.Dense(int(n_hidden), activation="relu"),
        keras.layers.Dropout(float(dropout)),
        keras.layers.Dense(y.shape[1], activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=float(learning_rate)),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model
    ### END SOLUTION

# %% [tests id=build_model]

# %% [markdown]
# ## `search(X, y, seed) -> GridSearchCV` (fitted)
#
# Wrap `build_model` in `SKLearnClassifier(model=build_model)` and search over its
# hyper-parameters with `GridSearchCV`: the wrapper's parameter is `model_kwargs`, a
# dict of `build_model`'s arguments, so the grid is a list of such dicts, e.g.
# `{"model_kwargs": [{"n_hidden": 32}, {"n_hidden": 128}]}` (at least 2 candidates). Use at least **3 folds** (`StratifiedKFold(3, shuffle=True,
# random_state=seed)`), call `keras.utils.set_random_seed(seed)` first, fit, and return
# the fitted search.
#
# **A trap.** Pass the training settings to the search's `fit`:
# `search.fit(X, y, epochs=8, batch_size=64, verbose=0)` — the search hands them to each
# model's `fit`. Do *not* put them in `SKLearnClassifier(fit_kwargs=…)`: when scikit-learn
# clones the wrapper for each fold, Keras 3's wrapper forgets `fit_kwargs`, and every
# model then trains for a single epoch. The grader notices.
#
# The grader then asks `search.predict(X_test)` on 1000 test images and needs an accuracy of
# at least **0.72** (one hidden layer gets about 0.79); the hidden check repeats it on a fresh
# split and seed. Budget: 120 s for one search; 2 candidates × 3 folds of 8 epochs take about
# 10 s.
# %% [markdown es]
# ## `search(X, y, seed) -> GridSearchCV` (ajustado)
#
# Envuelve `build_model` en `SKLearnClassifier(model=build_model)` y busca sobre sus
# hiperparámetros con `GridSearchCV`: el parámetro del envoltorio es `model_kwargs`, un
# dict con argumentos de `build_model`, así que la rejilla es una lista de esos dicts, p. ej.
# `{"model_kwargs": [{"n_hidden": 32}, {"n_hidden": 128}]}` (al menos 2 candidatos). Usa al menos **3 pliegues** (`StratifiedKFold(3, shuffle=True,
# random_state=seed)`), llama antes a `keras.utils.set_random_seed(seed)`, ajusta y
# devuelve la búsqueda ajustada.
#
# **Una trampa.** Pasa los ajustes de entrenamiento al `fit` de la búsqueda:
# `search.fit(X, y, epochs=8, batch_size=64, verbose=0)` — la búsqueda se los da al `fit`
# de cada modelo. *No* los pongas en `SKLearnClassifier(fit_kwargs=…)`: cuando scikit-learn
# clona el envoltorio para cada pliegue, el envoltorio de Keras 3 olvida `fit_kwargs`, y
# entonces cada modelo se entrena una sola época. El corrector se da cuenta.
#
# El corrector pide después `search.predict(X_test)` con 1000 imágenes de test y necesita una
# exactitud de al menos **0.72** (una capa oculta obtiene unos 0.79); la comprobación oculta lo
# repite con una partición y una semilla nuevas. Presupuesto: 120 s para una búsqueda; 2
# candidatos × 3 pliegues de 8 épocas tardan unos 10 s.

# %% [solution id=search]
def search(X, y, seed):
    """X: (m, 784) pixels in [0, 1], one image per ROW; y: (m,) labels 0–9; seed: int.
    Returns the fitted GridSearchCV over SKLearnClassifier(model=build_model)."""
    ### BEGIN SOLUTION
    keras.utils.set_random_seed(seed)  # Keras, NumPy and Python at once
    classifier = SKLearnClassifier(model=build_model)
    grid = {"model_kwargs": [{"n_hidden": 32, "learning_rate": 3e-3},
                             {"n_hidden": 128, "learning_rate": 1e-3}]}
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=int(seed))
    return GridSearchCV(classifier, grid, cv=folds).fit(X, y, epochs=8, batch_size=64, verbose=0)
    ### END SOLUTION

# %% [tests id=search]

# %% [markdown]
# ## `tune(X, y, seed) -> bayes_opt.BayesianOptimization` (after `maximize`)
#
# A grid tries settings fixed in advance; **Bayesian optimisation** (exercise 11 built
# it from scratch) fits a Gaussian process to the scores seen so far and picks the next
# setting where an acquisition function (expected improvement, UCB) is highest. The
# `bayesian-optimization` package does this loop:
#
# ```python
# from bayes_opt import BayesianOptimization    # the package bayesian-optimization
# optimizer = BayesianOptimization(f=score, pbounds={"n_hidden": (16, 128), …}, random_state=seed, verbose=0)
# optimizer.maximize(init_points=…, n_iter=…)     # random starts, then proposals
# ```
#
# It **maximises** `score(**params)`, which you write: build a model with those
# hyper-parameters, train it on part of `X` and return its **accuracy on a held-out
# validation part** (a number in [0, 1]; not a loss). Name the bounds after
# `build_model`'s arguments (`n_hidden`, `learning_rate`, `dropout`); a name with the
# prefix `log10_` means the search runs over the base-10 logarithm (e.g.
# `"log10_learning_rate": (-4, -1.5)`, the usual choice for a learning rate). Evaluate at
# least 6 settings in all, and return the optimizer after `maximize`.
# %% [markdown es]
# ## `tune(X, y, seed) -> bayes_opt.BayesianOptimization` (tras `maximize`)
#
# Una rejilla prueba configuraciones fijadas de antemano; la **optimización bayesiana**
# (el ejercicio 11 la construyó desde cero) ajusta un proceso gaussiano a las
# puntuaciones vistas y elige la siguiente configuración donde una función de
# adquisición (mejora esperada, UCB) es máxima. El paquete `bayesian-optimization` hace
# ese bucle:
#
# ```python
# from bayes_opt import BayesianOptimization    # the package bayesian-optimization
# optimizer = BayesianOptimization(f=score, pbounds={"n_hidden": (16, 128), …}, random_state=seed, verbose=0)
# optimizer.maximize(init_points=…, n_iter=…)     # random starts, then proposals
# ```
#
# **Maximiza** `score(**params)`, que escribes tú: construye un modelo con esos
# hiperparámetros, entrénalo con una parte de `X` y devuelve su **exactitud en una parte
# de validación reservada** (un número en [0, 1]; no una pérdida). Nombra los límites como
# los argumentos de `build_model` (`n_hidden`, `learning_rate`, `dropout`); un nombre con
# el prefijo `log10_` significa que la búsqueda recorre el logaritmo en base 10 (p. ej.
# `"log10_learning_rate": (-4, -1.5)`, lo habitual para una tasa de aprendizaje). Evalúa al
# menos 6 configuraciones en total y devuelve el optimizador tras `maximize`.

# %% [solution id=tune]
def tune(X, y, seed):
    """X: (m, 784) pixels in [0, 1] (rows); y: (m,) labels 0–9; seed: int.
    Returns the BayesianOptimization after maximize (≥ 6 evaluated settings, targets = validation accuracy)."""
    ### BEGIN SOLUTION
    X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=0.25, stratify=y, random_state=int(seed))
    T_fit = np.eye(int(y.max()) + 1)[y_fit]

    def validation_accuracy(log10_learning_rate, n_hidden):
        keras.utils.set_random_seed(seed)  # the same start for every setting
        model = build_model(X_fit, T_fit, n_hidden=int(round(n_hidden)), learning_rate=10.0 ** log10_learning_rate)
        model.fit(X_fit, T_fit, epochs=8, batch_size=64, verbose=0)
        return float(np.mean(model.predict(X_val, verbose=0).argmax(axis=1) == y_val))

    optimizer = BayesianOptimization(f=validation_accuracy,
                                     pbounds={"log10_learning_rate": (-4.0, -1.5), "n_hidden": (16, 128)},
                                     random_state=int(seed), verbose=0)
    optimizer.maximize(init_points=3, n_iter=3)
    return optimizer
    ### END SOLUTION

# %% [tests id=tune]

# %% [markdown]
# ## Try it
#
# This cell needs Fashion-MNIST on this machine (Debian's package `dataset-fashion-mnist`,
# or `$GRADER_FASHION_MNIST`): it runs your search and your tuning on 1500 training
# images and prints the candidates' cross-validation scores, the settings Bayesian
# optimisation tried, and the test accuracy of the best model. It sits inside
# `if __name__ == "__main__":` — Jupyter (and `python ex12_keras_search.py`) run it, the
# grader does not.
# %% [markdown es]
# ## Pruébalo
#
# Esta celda necesita Fashion-MNIST en esta máquina (el paquete de Debian
# `dataset-fashion-mnist`, o `$GRADER_FASHION_MNIST`): ejecuta tu búsqueda y tu ajuste con
# 1500 imágenes de entrenamiento y muestra las puntuaciones de validación cruzada de los
# candidatos, las configuraciones que probó la optimización bayesiana y la exactitud en
# test del mejor modelo. Está dentro de `if __name__ == "__main__":` — Jupyter (y
# `python ex12_keras_search.py`) la ejecutan, el corrector no.

# %% [code]
if __name__ == "__main__":
    from autograder.data import fashion_mnist

    X_tr, T_tr, X_te, y_te = fashion_mnist(seed=0, n_train=1500, n_test=1000)   # columns, pixels 0–255
    X_train, y_train = (X_tr.T / 255).astype(np.float32), T_tr.argmax(axis=0)
    X_test = (X_te.T / 255).astype(np.float32)
    found = search(X_train, y_train, seed=1)
    for params, score in zip(found.cv_results_["params"], found.cv_results_["mean_test_score"]):
        print(f"{score:.3f}  {params}")
    print("best:", found.best_params_, "test accuracy:", np.mean(found.predict(X_test) == y_te))
    optimizer = tune(X_train, y_train, seed=1)
    for probe in optimizer.res:
        print(f"{probe['target']:.3f}  {probe['params']}")
    print("best setting found by Bayesian optimisation:", optimizer.max)
