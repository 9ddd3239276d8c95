"""ex11 (bayes-opt): Bayesian optimisation / Optimización bayesiana.

Fill in the functions, then run `grader check ex11` in this folder.
Completa las funciones y ejecuta `grader check ex11` en esta carpeta.
"""

# # Exercise 11 — Bayesian optimisation from scratch
#
# Tuning hyper-parameters (a learning rate, a weight decay, the number of
# units) means minimising a function `f(x)` that is **expensive** (one
# evaluation trains a network) and has **no gradient**. Grid and random search
# spend evaluations blindly. Bayesian optimisation spends them where they are
# most likely to help, by keeping a *model* of `f` built from the evaluations
# made so far:
#
# 1. **The surrogate**: a Gaussian process (GP) fitted to the points evaluated
#    so far. At any new point it predicts a mean `mu` (what `f` probably is
#    there) and a variance `var` (how unsure it is: small near evaluated points,
#    large far from them).
# 2. **The acquisition function** turns `(mu, sigma)` into a score of how
#    useful it would be to evaluate `f` there next. We **maximise** it.
#    Expected improvement (EI), probability of improvement (PI) and the
#    (lower/upper) confidence bound balance **exploitation** (where `mu` is
#    low) and **exploration** (where `sigma` is large).
# 3. **The loop**: a few random points to start; then, repeatedly, fit the GP,
#    evaluate `f` where the acquisition is largest, add that point to the data.
#
# Conventions of this exercise: **we minimise `f`**; points are **columns**,
# `X` of shape `(d, n)` (as examples everywhere in this course); `mu`, `var`,
# `sigma` and acquisition values have shape `(k,)`; `bounds` has shape
# `(d, 2)`, one row `[low, high]` per dimension.
#
# In practice you would use a library: the `bayesian-optimization` package
# (`from bayes_opt import BayesianOptimization`) does all of this (it
# *maximises*, so you pass `-f`), fitting the GP's hyper-parameters too. Here
# you write it yourself, with NumPy only, to see every piece.
#
# ---
#
# *Español:*
#
# # Ejercicio 11 — Optimización bayesiana desde cero
#
# Ajustar hiperparámetros (una tasa de aprendizaje, un decaimiento de pesos, el
# número de unidades) es minimizar una función `f(x)` **cara** (una evaluación
# entrena una red) y **sin gradiente**. La búsqueda en rejilla y la aleatoria
# gastan evaluaciones a ciegas. La optimización bayesiana las gasta donde más
# probablemente ayuden, manteniendo un *modelo* de `f` construido con las
# evaluaciones hechas hasta ahora:
#
# 1. **El sustituto** (*surrogate*): un proceso gaussiano (GP) ajustado a los
#    puntos evaluados. En cada punto nuevo predice una media `mu` (lo que
#    probablemente vale `f` allí) y una varianza `var` (cuánta incertidumbre
#    tiene: pequeña cerca de los puntos evaluados, grande lejos de ellos).
# 2. **La función de adquisición** convierte `(mu, sigma)` en una puntuación de
#    lo útil que sería evaluar `f` allí a continuación. La **maximizamos**. La
#    mejora esperada (EI), la probabilidad de mejora (PI) y la cota de
#    confianza (inferior/superior) equilibran **explotación** (donde `mu` es
#    baja) y **exploración** (donde `sigma` es grande).
# 3. **El bucle**: unos pocos puntos aleatorios para empezar; después, una y
#    otra vez, ajusta el GP, evalúa `f` donde la adquisición es mayor y añade
#    ese punto a los datos.
#
# Convenios de este ejercicio: **minimizamos `f`**; los puntos son
# **columnas**, `X` de forma `(d, n)` (como los ejemplos en todo el curso);
# `mu`, `var`, `sigma` y los valores de adquisición tienen forma `(k,)`;
# `bounds` tiene forma `(d, 2)`, una fila `[low, high]` por dimensión.
#
# En la práctica usarías una biblioteca: el paquete `bayesian-optimization`
# (`from bayes_opt import BayesianOptimization`) hace todo esto (*maximiza*,
# así que le pasas `-f`) y además ajusta los hiperparámetros del GP. Aquí lo
# escribes tú, solo con NumPy, para ver cada pieza.

import math

import numpy as np


def norm_cdf(z):
    """Φ(z), the standard normal CDF, elementwise (given: math.erf, no SciPy needed)."""
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * (1.0 + np.vectorize(math.erf, otypes=[np.float64])(z / math.sqrt(2.0)))


def norm_pdf(z):
    """φ(z), the standard normal density, elementwise (given)."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

# ## `rbf_kernel(A, B, length_scale, variance) -> K`
#
# The GP's prior says how alike `f` is at two points: the RBF (squared
# exponential) kernel
#
#     K[i, j] = variance · exp(−‖A[:, i] − B[:, j]‖² / (2 · length_scale²))
#
# `A` `(d, n_a)` and `B` `(d, n_b)` hold points as columns; `K` is
# `(n_a, n_b)`. `variance` is the prior variance `k(x, x)`; `length_scale` how
# far apart two points may be and still be alike.
#
# ---
#
# *Español:*
#
# ## `rbf_kernel(A, B, length_scale, variance) -> K`
#
# La priori del GP dice cuánto se parece `f` en dos puntos: el núcleo RBF
# (exponencial cuadrática)
#
#     K[i, j] = variance · exp(−‖A[:, i] − B[:, j]‖² / (2 · length_scale²))
#
# `A` `(d, n_a)` y `B` `(d, n_b)` tienen los puntos en columnas; `K` es
# `(n_a, n_b)`. `variance` es la varianza a priori `k(x, x)`; `length_scale`,
# lo lejos que pueden estar dos puntos y seguir pareciéndose.

def rbf_kernel(A, B, length_scale, variance):
    """RBF kernel between the columns of A (d, n_a) and of B (d, n_b); returns K (n_a, n_b)."""
    K = None
    # TODO: squared distances between every column of A and every column of B, then the formula.
    # YOUR CODE HERE
    raise NotImplementedError()
    return K

# Check: grader check ex11   (cell rbf_kernel)

# ## `gp_posterior(X_train, y_train, X_test, length_scale, variance, noise) -> (mu, var)`
#
# With zero prior mean and observations `y = f(X) + ε`, `ε ~ N(0, noise)`,
# the posterior of the latent `f` at the test points (columns of `X_test`,
# `(d, k)`) is Gaussian with
#
#     K  = k(X, X) + noise · I          (n, n)
#     K* = k(X, X_test)                 (n, k)
#     mu  = K*ᵀ K⁻¹ y                   (k,)
#     var = variance − diag(K*ᵀ K⁻¹ K*) (k,)
#
# **Never form `K⁻¹`**: when two training points are close and the noise is
# small, `K` is ill-conditioned and `np.linalg.inv` loses many digits. Factor
# `K = L Lᵀ` (`L = np.linalg.cholesky(K)`, lower triangular) and solve:
#
#     α = Lᵀ \ (L \ y),   mu = K*ᵀ α,   v = L \ K*,   var = variance − Σ_rows v²
#
# (`L \ b` is `np.linalg.solve(L, b)`: NumPy only, the grader loads no SciPy).
# Rounding may leave `var` slightly negative: return `np.maximum(var, 0)`.
# `var` is the variance of `f`, without the noise (as scikit-learn's
# `GaussianProcessRegressor(...).predict(X_test.T, return_std=True)` gives
# `std = √var`).
#
# ---
#
# *Español:*
#
# ## `gp_posterior(X_train, y_train, X_test, length_scale, variance, noise) -> (mu, var)`
#
# Con media a priori cero y observaciones `y = f(X) + ε`, `ε ~ N(0, noise)`,
# la posterior de la `f` latente en los puntos de test (columnas de `X_test`,
# `(d, k)`) es gaussiana con
#
#     K  = k(X, X) + noise · I          (n, n)
#     K* = k(X, X_test)                 (n, k)
#     mu  = K*ᵀ K⁻¹ y                   (k,)
#     var = variance − diag(K*ᵀ K⁻¹ K*) (k,)
#
# **No formes nunca `K⁻¹`**: cuando dos puntos de entrenamiento están cerca y
# el ruido es pequeño, `K` está mal condicionada y `np.linalg.inv` pierde
# muchas cifras. Factoriza `K = L Lᵀ` (`L = np.linalg.cholesky(K)`, triangular
# inferior) y resuelve:
#
#     α = Lᵀ \ (L \ y),   mu = K*ᵀ α,   v = L \ K*,   var = variance − Σ_filas v²
#
# (`L \ b` es `np.linalg.solve(L, b)`: solo NumPy, el corrector no carga SciPy).
# El redondeo puede dejar `var` ligeramente negativa: devuelve
# `np.maximum(var, 0)`. `var` es la varianza de `f`, sin el ruido (como la da
# `GaussianProcessRegressor(...).predict(X_test.T, return_std=True)` de
# scikit-learn, con `std = √var`).

def gp_posterior(X_train, y_train, X_test, length_scale, variance, noise):
    """GP posterior of f at the columns of X_test (d, k), from X_train (d, n), y_train (n,).

    Returns (mu (k,), var (k,)), var ≥ 0, the variance of the latent f.
    """
    mu, var = None, None
    # TODO: K with noise on its diagonal, its Cholesky factor L, alpha, mu, v, var (clipped at 0).
    # YOUR CODE HERE
    raise NotImplementedError()
    return mu, var

# Check: grader check ex11   (cell gp_posterior)

# ## Acquisition functions (all maximised, for a loop that minimises `f`)
#
# `best` is the smallest value observed so far; `xi ≥ 0` asks for an
# improvement of at least `xi` (a larger `xi` explores more). With
# `imp = best − mu − xi` and `Z = imp / sigma`:
#
#     EI  = imp · Φ(Z) + sigma · φ(Z)          expected improvement
#     PI  = Φ(Z)                               probability of improvement
#     UCB = −mu + kappa · sigma                minus the lower confidence bound mu − kappa·sigma
#
# `Φ` and `φ` are the standard normal CDF and density (`norm_cdf`, `norm_pdf`
# above: NumPy and `math` only). Where `sigma == 0` there is no
# uncertainty and nothing to expect: **EI = 0 and PI = 0 there** (avoid the
# division by zero, e.g. with `np.where` / `np.divide(..., where=...)`).
# EI's first term rewards a low mean (exploitation), its second a large
# uncertainty (exploration).
#
# ---
#
# *Español:*
#
# ## Funciones de adquisición (todas se maximizan, para un bucle que minimiza `f`)
#
# `best` es el menor valor observado hasta ahora; `xi ≥ 0` pide una mejora de
# al menos `xi` (un `xi` mayor explora más). Con `imp = best − mu − xi` y
# `Z = imp / sigma`:
#
#     EI  = imp · Φ(Z) + sigma · φ(Z)          mejora esperada
#     PI  = Φ(Z)                               probabilidad de mejora
#     UCB = −mu + kappa · sigma                menos la cota inferior de confianza mu − kappa·sigma
#
# `Φ` y `φ` son la CDF y la densidad normal estándar (`norm_cdf`, `norm_pdf`
# de arriba: solo NumPy y `math`). Donde `sigma == 0` no hay
# incertidumbre ni nada que esperar: **allí EI = 0 y PI = 0** (evita la
# división entre cero, p. ej. con `np.where` / `np.divide(..., where=...)`).
# El primer término de EI premia una media baja (explotación); el segundo, una
# incertidumbre grande (exploración).

def expected_improvement(mu, sigma, best, xi=0.01):
    """EI of each point; mu, sigma: (k,); returns (k,), 0 where sigma == 0."""
    ei = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return ei

# Check: grader check ex11   (cell expected_improvement)

def probability_of_improvement(mu, sigma, best, xi=0.01):
    """PI of each point; mu, sigma: (k,); returns (k,), 0 where sigma == 0."""
    pi = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return pi

# Check: grader check ex11   (cell probability_of_improvement)

def upper_confidence_bound(mu, sigma, kappa=2.0):
    """−mu + kappa·sigma; mu, sigma: (k,); returns (k,)."""
    ucb = None
    # YOUR CODE HERE
    raise NotImplementedError()
    return ucb

# Check: grader check ex11   (cell upper_confidence_bound)

# ## `bayes_opt_minimize(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0, noise=1e-6, xi=0.01)`
#
# `f(x)` takes one point `x` of shape `(d,)` and returns a float. With
# `low, high = bounds[:, 0], bounds[:, 1]` as columns `(d, 1)`, and **exactly
# these draws from `rng`, in this order** (the grader replays them):
#
# 1. `X = low + (high − low) · rng.random((d, n_init))`; evaluate `f` at each
#    column, in order.
# 2. For each of the `n_iter` iterations:
#    - fresh candidates `C = low + (high − low) · rng.random((d, n_candidates))`;
#    - standardise the observations: `ys = (y − mean(y)) / std(y)` (divide by
#      1 when `std(y) == 0`), so that the GP's prior (mean 0, variance 1) fits;
#    - `mu, var = gp_posterior(Xn, ys, Cn, length_scale, variance, noise)` on
#      the points scaled to the unit box, `Xn = (X − low) / (high − low)`,
#      `Cn` likewise;
#    - `x = C[:, argmax EI(mu, sqrt(var), min(ys), xi)]` (`np.argmax`: the
#      first maximum); evaluate `f(x)` and append `x` and `f(x)`.
# 3. Return `(x_best, f_best, (X, y))`: `x_best` `(d,)` the column of `X` with
#    the smallest `y` (the first on ties), `f_best` that `y`, `X`
#    `(d, n_init + n_iter)` and `y` `(n_init + n_iter,)` every evaluation in
#    order. `f` is called exactly `n_init + n_iter` times.
#
# Maximising the acquisition over random candidates is the simplest choice;
# the `bayesian-optimization` package maximises it with random points and
# L-BFGS-B starts, and fits the kernel's `length_scale` too.
#
# ---
#
# *Español:*
#
# ## `bayes_opt_minimize(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0, noise=1e-6, xi=0.01)`
#
# `f(x)` recibe un punto `x` de forma `(d,)` y devuelve un float. Con
# `low, high = bounds[:, 0], bounds[:, 1]` como columnas `(d, 1)`, y
# **exactamente estas extracciones de `rng`, en este orden** (el corrector las
# reproduce):
#
# 1. `X = low + (high − low) · rng.random((d, n_init))`; evalúa `f` en cada
#    columna, en orden.
# 2. En cada una de las `n_iter` iteraciones:
#    - candidatos nuevos `C = low + (high − low) · rng.random((d, n_candidates))`;
#    - estandariza las observaciones: `ys = (y − mean(y)) / std(y)` (divide
#      entre 1 cuando `std(y) == 0`), para que encaje la priori del GP (media
#      0, varianza 1);
#    - `mu, var = gp_posterior(Xn, ys, Cn, length_scale, variance, noise)` con
#      los puntos llevados a la caja unidad, `Xn = (X − low) / (high − low)`,
#      y `Cn` igual;
#    - `x = C[:, argmax EI(mu, sqrt(var), min(ys), xi)]` (`np.argmax`: el
#      primer máximo); evalúa `f(x)` y añade `x` y `f(x)`.
# 3. Devuelve `(x_best, f_best, (X, y))`: `x_best` `(d,)` la columna de `X` con
#    la menor `y` (la primera en caso de empate), `f_best` esa `y`, `X`
#    `(d, n_init + n_iter)` e `y` `(n_init + n_iter,)` todas las evaluaciones
#    en orden. `f` se llama exactamente `n_init + n_iter` veces.
#
# Maximizar la adquisición sobre candidatos aleatorios es la opción más
# sencilla; el paquete `bayesian-optimization` la maximiza con puntos
# aleatorios y arranques de L-BFGS-B, y además ajusta la `length_scale` del
# núcleo.

def bayes_opt_minimize(f, bounds, n_init, n_iter, rng, n_candidates=500, length_scale=0.2, variance=1.0,
                       noise=1e-6, xi=0.01):
    """Minimise f over the box bounds (d, 2); returns (x_best (d,), f_best, (X (d, n), y (n,)))."""
    x_best, f_best, X, y = None, None, None, None
    # TODO: the initial points, then n_iter iterations (candidates, standardise, posterior, EI, evaluate).
    # YOUR CODE HERE
    raise NotImplementedError()
    return x_best, f_best, (X, y)

# Check: grader check ex11   (cell bayes_opt_minimize)
