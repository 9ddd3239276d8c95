# %% [markdown]
# # Exercise 9 — Hyper-parameter search with cross-validation
#
# Gradient descent learns the *parameters* `W(k)`, `b(k)`. The *hyper-parameters* —
# the number of hidden units, the L2 strength, the learning rate, the number of
# epochs — are chosen by us, and choosing them on the test set would make the test
# accuracy an optimistic lie. The lectures' recipe:
#
# - **k-fold cross-validation**: split the training set into `k` folds; train on
#   `k − 1` of them and measure on the remaining one, `k` times; the candidate's score
#   is the mean of the `k` validation scores;
# - **grid search** tries every combination of a few values per hyper-parameter;
#   **random search** draws `n_iter` combinations (better when only some
#   hyper-parameters matter);
# - the best candidate is then retrained on the whole training set (`refit`), and
#   only that final model ever meets the test set.
#
# **No leakage.** Everything that *learns from data* must be learnt inside each fold.
# Standardising `x ← (x − μ)/σ` learns `μ` and `σ`: if they are computed on the whole
# `X` before the search, every validation fold has already been seen. The cure is a
# `Pipeline` whose first step is the scaler and whose last step is the network:
# the search clones and fits the whole pipeline on each training part, so each fold
# gets its own `μ, σ`, and the returned model scales new inputs with the statistics
# of the data it was trained on.
# %% [markdown es]
# # Ejercicio 9 — Búsqueda de hiperparámetros con validación cruzada
#
# El descenso por gradiente aprende los *parámetros* `W(k)`, `b(k)`. Los
# *hiperparámetros* — el número de unidades ocultas, la intensidad de L2, la tasa de
# aprendizaje, el número de épocas — los elegimos nosotros, y elegirlos mirando el
# conjunto de test convertiría la exactitud en test en una mentira optimista. La
# receta de clase:
#
# - **validación cruzada con k pliegues**: se divide el conjunto de entrenamiento en
#   `k` pliegues; se entrena con `k − 1` y se mide en el restante, `k` veces; la
#   puntuación del candidato es la media de las `k` puntuaciones de validación;
# - la **búsqueda en rejilla** prueba todas las combinaciones de unos pocos valores por
#   hiperparámetro; la **búsqueda aleatoria** sortea `n_iter` combinaciones (mejor cuando
#   solo importan algunos hiperparámetros);
# - el mejor candidato se vuelve a entrenar con todo el conjunto de entrenamiento
#   (`refit`), y solo ese modelo final llega a ver el conjunto de test.
#
# **Sin fugas de información.** Todo lo que *aprende de los datos* debe aprenderse
# dentro de cada pliegue. Estandarizar `x ← (x − μ)/σ` aprende `μ` y `σ`: si se calculan
# con todo `X` antes de la búsqueda, cada pliegue de validación ya se ha visto. La
# solución es un `Pipeline` cuyo primer paso es el escalador y cuyo último paso es la
# red: la búsqueda clona y ajusta el pipeline entero en cada parte de entrenamiento,
# así que cada pliegue tiene sus propios `μ, σ`, y el modelo devuelto escala las
# entradas nuevas con las estadísticas de los datos con que se entrenó.

# %% [markdown]
# ## Data layout: rows, as scikit-learn wants
#
# **Careful: this exercise uses scikit-learn's convention, not the lectures'.**
# `X` has shape `(m, n_features)` — one example per **row** — and `y` has shape
# `(m,)` with integer labels. The data is scikit-learn's breast-cancer set: 30 raw
# features (from about 0.001 to 4000: scaling matters), labels 0 = malignant,
# 1 = benign; the grader gives you 426 training examples and keeps 143 for testing.
#
# `MLPClassifier` is the lectures' MLP: `hidden_layer_sizes=(n_1, …)`, ReLU hidden
# layers by default, a sigmoid output for two classes, the cross-entropy cost, Adam.
# Its `alpha` is the L2 strength: it minimises `J + (alpha / 2m) Σ w²`, i.e. the
# lectures' `J + λ Σ w²` with `λ = alpha / (2m)` (biases are not penalised). In a
# pipeline, a step's hyper-parameter is named `<step>__<parameter>`: with
# `Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier())])` the grid keys
# are `"mlp__alpha"`, `"mlp__hidden_layer_sizes"`, …
# %% [markdown es]
# ## Formato de los datos: filas, como quiere scikit-learn
#
# **Atención: este ejercicio usa la convención de scikit-learn, no la de clase.**
# `X` tiene forma `(m, n_features)` — un ejemplo por **fila** — e `y` tiene forma
# `(m,)` con etiquetas enteras. Los datos son breast cancer de scikit-learn: 30
# variables en bruto (de unos 0.001 a 4000: escalar importa), etiquetas 0 = maligno,
# 1 = benigno; el corrector te da 426 ejemplos de entrenamiento y se guarda 143 para test.
#
# `MLPClassifier` es el MLP de clase: `hidden_layer_sizes=(n_1, …)`, capas ocultas ReLU
# por defecto, una salida sigmoide para dos clases, el coste de entropía cruzada, Adam.
# Su `alpha` es la intensidad de L2: minimiza `J + (alpha / 2m) Σ w²`, es decir, el
# `J + λ Σ w²` de clase con `λ = alpha / (2m)` (los sesgos no se penalizan). En un
# pipeline, el hiperparámetro de un paso se llama `<paso>__<parámetro>`: con
# `Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier())])` las claves de la
# rejilla son `"mlp__alpha"`, `"mlp__hidden_layer_sizes"`, …

# %% [code]
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, StratifiedKFold  # noqa: F401
from sklearn.neural_network import MLPClassifier  # noqa: F401
from sklearn.pipeline import Pipeline  # noqa: F401
from sklearn.preprocessing import StandardScaler  # noqa: F401

# %% [markdown]
# ## `search(X, y, seed) -> GridSearchCV | RandomizedSearchCV`
#
# Return a **fitted** `GridSearchCV` (or `RandomizedSearchCV`) over a pipeline
# *scaler → `MLPClassifier`*:
#
# - the searched estimator is `Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(...))])`
#   (`MinMaxScaler` works too); fit the search on the **raw** `X` — do not scale `X`
#   yourself before the search;
# - at least **3 folds** (e.g. `cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)`)
#   and at least **4 distinct candidates** (e.g. 2 hidden-layer sizes × 2 or 3 values of `alpha`);
# - keep `refit=True` (the default) and return the search itself (`fit` returns it);
# - use `seed` for everything random: `MLPClassifier(random_state=seed)` and the
#   folds' shuffling, so that your grade is reproducible;
# - keep it fast: one call must finish within **120 s** on one CPU core (the reference
#   solution, 5 folds × 6 candidates, takes about 2 s). `MLPClassifier(max_iter=300,
#   learning_rate_init=0.01)` converges here; leave `n_jobs` at its default.
#
# The grader then calls `search.predict(X_test)` on raw test inputs and needs a test
# accuracy of at least **0.90** (a scaled MLP reaches about 0.97); the hidden check
# repeats this on a fresh split and seed. It also inspects the returned object: its
# class, `n_splits_`, `cv_results_["params"]`, and the steps of `best_estimator_`.
# %% [markdown es]
# ## `search(X, y, seed) -> GridSearchCV | RandomizedSearchCV`
#
# Devuelve un `GridSearchCV` (o `RandomizedSearchCV`) **ajustado** sobre un pipeline
# *escalador → `MLPClassifier`*:
#
# - el estimador de la búsqueda es `Pipeline([("scale", StandardScaler()), ("mlp", MLPClassifier(...))])`
#   (`MinMaxScaler` también vale); ajusta la búsqueda con el `X` **en bruto** — no escales
#   `X` tú antes de la búsqueda;
# - al menos **3 pliegues** (p. ej. `cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)`)
#   y al menos **4 candidatos distintos** (p. ej. 2 tamaños de capa oculta × 2 o 3 valores de `alpha`);
# - deja `refit=True` (el valor por defecto) y devuelve la propia búsqueda (`fit` la devuelve);
# - usa `seed` para todo lo aleatorio: `MLPClassifier(random_state=seed)` y el barajado
#   de los pliegues, para que tu nota sea reproducible;
# - que sea rápida: una llamada debe terminar en **120 s** con un núcleo de CPU (la
#   solución de referencia, 5 pliegues × 6 candidatos, tarda unos 2 s).
#   `MLPClassifier(max_iter=300, learning_rate_init=0.01)` converge aquí; deja `n_jobs`
#   con su valor por defecto.
#
# El corrector llama después a `search.predict(X_test)` con entradas de test en bruto y
# necesita una exactitud en test de al menos **0.90** (un MLP con entradas escaladas
# llega a unos 0.97); la comprobación oculta lo repite con una partición y una semilla
# nuevas. También inspecciona el objeto devuelto: su clase, `n_splits_`,
# `cv_results_["params"]` y los pasos de `best_estimator_`.

# %% [solution id=search]
def search(X, y, seed):
    """Cross-validated hyper-parameter search of a scaled MLP.

    X: (m, n_features) raw inputs, one example per ROW (scikit-learn's layout);
    y: (m,) integer labels; seed: int for every random choice.
    Returns the fitted GridSearchCV (refit on the best candidate).
    """
    ### BEGIN SOLUTION
    mlp = MLPClassifier(max_iter=300, learning_rate_init=0.01, random_state=seed)
    pipe = Pipeline([("scale", StandardScaler()), ("mlp", mlp)])
    grid = {
        "mlp__hidden_layer_sizes": [(16,), (32,)],
        "mlp__alpha": [1e-3, 1e-1, 1.0],
    }
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return GridSearchCV(pipe, grid, cv=folds).fit(X, y)
    ### END SOLUTION

# %% [tests id=search]

# %% [markdown]
# ## Try it
#
# This cell runs your search on a split of breast cancer and prints the candidates'
# cross-validation scores and the test accuracy of the refit best model. It sits
# inside `if __name__ == "__main__":` — Jupyter (and `python ex9_search.py`) run it,
# the grader does not.
# %% [markdown es]
# ## Pruébalo
#
# Esta celda ejecuta tu búsqueda con una partición de breast cancer y muestra las
# puntuaciones de validación cruzada de los candidatos y la exactitud en test del mejor
# modelo reentrenado. Está dentro de `if __name__ == "__main__":` — Jupyter (y
# `python ex9_search.py`) la ejecutan, el corrector no.

# %% [code]
if __name__ == "__main__":
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X_all, y_all = load_breast_cancer(return_X_y=True)          # rows: (569, 30), (569,)
    X_train, X_test, y_train, y_test = train_test_split(X_all, y_all, test_size=0.25, stratify=y_all,
                                                        random_state=0)
    found = search(X_train, y_train, seed=1)
    for params, score in zip(found.cv_results_["params"], found.cv_results_["mean_test_score"]):
        print(f"{score:.3f}  {params}")
    print("best:", found.best_params_, "test accuracy:", found.score(X_test, y_test))
