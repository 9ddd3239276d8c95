"""ex8 init-batchnorm: Glorot/He normal initialisation and batch normalisation (forward and backward).

What is checked
* **Initialisation** is random, so it is graded by distribution and
  consistency, never by the random stream. ``glorot_normal(400, 300, rng)``
  and ``he_normal(400, 300, rng)`` (120 000 draws a call, ``rng`` a seeded
  ``numpy.random.Generator``) must have shape ``(n_out, n_in)`` and
  - over N = 2 400 000 draws pooled from 20 calls with differently seeded
    generators (the hidden check: ⌈2.4e6/(n_in·n_out)⌉ calls, 20 to 40, of its
    fresh size, N from 2.4e6 to 2.52e6), a sample standard deviation s
    (ddof = 1) inside the two-sided chi-square bound of the formula σ:
    ``(N−1)s²/σ² ~ χ²(N−1)``, with the quantiles at ±5.3 standard normal
    deviations from the Wilson–Hilferty approximation
    ``q = k(1 − 2/(9k) ± 5.3·√(2/(9k)))³`` (within 1e-8 of the exact quantiles,
    relatively, here; no SciPy on students' machines): s/σ within
    [0.99758, 1.00242] at N = 2.4e6, false failure ≈ 1.2e-7 per function.
    The bound resolves 0.5 %: a std 0.5 % off (σ·1.005 or σ·0.995) has its
    own ±5.3 band wholly outside σ's (``stats.std_resolution(N)`` = 0.485 %
    at N = 2.4e6), so it fails with probability above 1 − 1.2e-7 (one call's
    120 000 draws resolved only 2.2 %). Drawing and sending the draws costs
    about 0.13 s per function and check;
  - a sample mean of the same draws within 5.3·σ/√N of 0 (false failure
    ≈ 1.2e-7);
  - normal tails (a separate check, and on one call's draws in the hidden
    check): the counts of draws farther than 2 and 3
    sample standard deviations from the sample mean within 5.3 binomial
    standard deviations √(Np(1−p)) of Np, p = 4.55 % and 0.270 %. The exact
    binomial false-failure probability of this bound is below 2e-7 (N = 120 000)
    and 3e-7 (the hidden check's N ≥ 60 000); estimating the std from the same
    draws only lowers the spread of the counts (their standard deviations by
    0.68× and 0.95×, measured over 2000 seeds), so a correct solution fails with probability below 1e-6
    per check. A uniform draw (no draw beyond 1.74 s) and Keras' truncated
    normal (none beyond 2.28 s) miss these counts by dozens of bounds.
  Wrong stds are named when s falls inside the same chi-square bound of the
  wrong formula (fan-in only, fan-out, the variance passed as the std, the
  factor 2 missing, Glorot's std in he_normal, the uniform's limit √(6/…) as
  the std, U(0, 1)·σ from rand instead of randn: σ/√12); where the hidden
  sizes bring two wrong formulas within each other's bounds (about 2.6 % of
  the hidden sizes per function, all at n_out ≈ 2·n_in: Glorot's fan-in only
  vs. the uniform's limit, He's fan-out vs. the missing 2), the closer one.
  Uniform draws are told apart by their mean: U(0, 1)·σ's is √3 of its stds
  from 0, a centred uniform's is not.
  Same seed → the same draws; another seed → other draws.
* **Batch normalisation forward** (public: committed fixtures; hidden: fresh
  inputs computed by the reference): the training-mode output, the running
  statistics written back into ``bn_param`` over three training steps, the
  test-mode output (with the running statistics unchanged), and, as a
  property of the student's own function, that missing running statistics
  behave exactly as ``zeros``/``ones`` passed explicitly and are stored back.
  ``eps`` (1e-3 to 1e-1) and ``momentum`` (0.6 to 0.95) are always passed.
  When the hidden training steps leave running statistics that are not
  ``(n, 1)`` columns (an ``(n, m)`` array from statistics over the wrong axis
  or from ``x`` in place of the batch mean) and the test-mode call on a batch
  of another size then raises, that is not reported as a crash: the output is
  left out and the check reports (and names) what the training steps did.
* **Batch normalisation backward** (train mode, called with the cache of the
  student's own forward; a wrong ``out`` is reported as the forward's fault):
  against the reference, and against centered differences of the student's
  own forward (first compared with the reference's train-mode output on the
  check's own draws, ``GRAD_FORWARD_SPEC``, from the fixtures for the public
  draws) along two random unit directions D of each of x, γ and β, for
  ``J = Σ dout ⊙ out``: relative error ``|⟨dP, D⟩ − (J(P+hD) − J(P−hD))/2h| /
  max(|⟨dP, D⟩| + |num|, floor)``, floor = max(1e-3·‖dP‖, margin·ε·Σ|dout ⊙ out|/(h·tol))
  (ε·Σ|dout ⊙ out|/h bounds the rounding error of the difference). In float64:
  h = 1e-5, tol = 1e-6, margin 100. When the forward or the gradients come
  back in float32: h = 1e-2, tol = 1e-3, margin 1, ε of float32. Measured
  (tests/exercises/test_ex8.py): a correct solution stays below 1e-8 in float64
  (1000 seeds) and 2e-4 in float32 (2000 seeds); a dx missing either of its
  two batch terms reaches at least 4e-4 in float64 and 2e-3 in float32 on
  every one of 300 seeds. The reference's outputs on the check's draws come
  with the known mistakes' (train-mode forward and backward): a wrong forward
  output is named when it is a known forward mistake's, and the check keeps its
  points (a note) when the backward, given that forward's cache, returns
  exactly what the reference backward returns on that mistake's cache (one
  error scored once, as the comparison checks with ``depends`` do); a failing
  gradient is named when the three gradients are a known backward mistake's.

Comparisons use the SPEC's ``|got − exp| ≤ 1e-10·max|exp| + 1e-6·|exp|``
(float32 results at rtol 1e-4). Seeds are fixed, so a given submission always
gets the same grade.
"""
from __future__ import annotations

import math

import numpy as np

from ..cases import reference_case
from ..checks import CaseSpec, Check, Fail, Mistake, compare_check, labelled, mistake_catalog
from ..compare import as_float_array, compare
from ..messages import Text, t
from ..sandbox import Rng, StudentRaised, Unsupported
from ..stats import Z, std_ratio_bounds, tail_bounds


MISTAKES = mistake_catalog(
    Mistake(
        "init_uniform",
        "the draws are uniform (e.g. rng.uniform, Glorot/He *uniform*); glorot_normal and he_normal draw from a normal "
        "distribution: rng.normal(0.0, std, size=(n_out, n_in)).",
        "los valores son uniformes (p. ej. rng.uniform, Glorot/He *uniforme*); glorot_normal y he_normal usan una "
        "distribución normal: rng.normal(0.0, std, size=(n_out, n_in)).",
        targets=("init_normal",)),
    Mistake(
        "init_rand",
        "the draws come from a uniform on [0, 1) (rng.random / np.random.rand instead of randn), times the std: they "
        "are neither centred nor normal; draw rng.normal(0.0, std, size=(n_out, n_in)) (or rng.standard_normal(…) * std).",
        "los valores salen de una uniforme en [0, 1) (rng.random / np.random.rand en lugar de randn), por la std: ni "
        "están centrados ni son normales; usa rng.normal(0.0, std, size=(n_out, n_in)) (o rng.standard_normal(…) * std).",
        targets=("glorot_std", "he_std", "init_normal")),
    Mistake(
        "init_glorot_fan_in",
        "glorot_normal uses only the fan-in n_in; Glorot's variance averages both fans: std = sqrt(2/(n_in + n_out)).",
        "glorot_normal usa solo el fan-in n_in; la varianza de Glorot promedia ambos: std = sqrt(2/(n_in + n_out)).",
        targets=("glorot_std",)),
    Mistake(
        "init_glorot_no_factor_2",
        "glorot_normal's variance is missing the 2: std = sqrt(1/(n_in + n_out)); Glorot's is sqrt(2/(n_in + n_out)).",
        "a la varianza de glorot_normal le falta el 2: std = sqrt(1/(n_in + n_out)); la de Glorot es "
        "sqrt(2/(n_in + n_out)).",
        targets=("glorot_std",)),
    Mistake(
        "init_he_fan_out",
        "he_normal uses the fan-out n_out; He's std uses the fan-in: sqrt(2/n_in).",
        "he_normal usa el fan-out n_out; la std de He usa el fan-in: sqrt(2/n_in).",
        targets=("he_std",)),
    Mistake(
        "init_he_no_factor_2",
        "he_normal's variance is missing the 2 (std = sqrt(1/n_in), LeCun's); He's std is sqrt(2/n_in), the 2 "
        "making up for ReLU zeroing half of its inputs.",
        "a la varianza de he_normal le falta el 2 (std = sqrt(1/n_in), la de LeCun); la std de He es sqrt(2/n_in), "
        "el 2 compensa que ReLU anula la mitad de sus entradas.",
        targets=("he_std",)),
    Mistake(
        "init_he_glorot_std",
        "he_normal uses Glorot's std sqrt(2/(n_in + n_out)); He's std uses only the fan-in: sqrt(2/n_in).",
        "he_normal usa la std de Glorot sqrt(2/(n_in + n_out)); la std de He usa solo el fan-in: sqrt(2/n_in).",
        targets=("he_std",)),
    Mistake(
        "init_variance_as_std",
        "the variance is passed as the standard deviation: rng.normal's scale is the std, the square root of the "
        "variance (sqrt(2/(n_in + n_out)), sqrt(2/n_in)).",
        "se pasa la varianza como desviación típica: el scale de rng.normal es la std, la raíz cuadrada de la "
        "varianza (sqrt(2/(n_in + n_out)), sqrt(2/n_in)).",
        targets=("glorot_std",)),
    Mistake(
        "init_uniform_limit_as_std",
        "the std is the limit of the *uniform* version (sqrt(6/(n_in + n_out)), sqrt(6/n_in)); the normal's std is "
        "sqrt(2/(n_in + n_out)) for Glorot and sqrt(2/n_in) for He (the uniform's limit is √3 times the std).",
        "la std es el límite de la versión *uniforme* (sqrt(6/(n_in + n_out)), sqrt(6/n_in)); la std de la normal es "
        "sqrt(2/(n_in + n_out)) para Glorot y sqrt(2/n_in) para He (el límite de la uniforme es √3 veces la std).",
        targets=("glorot_std", "he_std")),
    Mistake(
        "init_truncated",
        "the normal is truncated (no draw beyond 2 standard deviations, as Keras' GlorotNormal/HeNormal do); the "
        "lecture's initialisers draw from the plain, untruncated normal.",
        "la normal está truncada (ningún valor más allá de 2 desviaciones típicas, como GlorotNormal/HeNormal de "
        "Keras); los inicializadores de la clase usan la normal sin truncar.",
        targets=("init_normal",)),
    Mistake(
        "init_transposed",
        "the weights have shape (n_in, n_out); W(k) has shape (n_out, n_in), so that z = W a + b with a of shape (n_in, m).",
        "los pesos tienen forma (n_in, n_out); W(k) tiene forma (n_out, n_in), para que z = W a + b con a de forma (n_in, m).",
        targets=("glorot_std",)),
    Mistake(
        "init_ignores_rng",
        "the draws do not come from the rng argument (np.random.normal… or a generator of your own); draw them with "
        "rng.normal(…) so that a seeded generator reproduces them.",
        "los valores no salen del argumento rng (np.random.normal… o un generador propio); genéralos con "
        "rng.normal(…) para que un generador con semilla los reproduzca.",
        targets=("init_seeded",)),
    Mistake(
        "bn_wrong_axis",
        "the statistics are taken over axis 0 (across the features of one example); batch normalisation averages each "
        "feature (row) over the batch: mean and var over axis=1 with keepdims=True, shape (n, 1).",
        "las estadísticas se calculan sobre el eje 0 (entre las características de un ejemplo); la normalización por "
        "lotes promedia cada característica (fila) sobre el lote: media y varianza sobre axis=1 con keepdims=True, forma (n, 1).",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_var_wrong_axis",
        "the mean is taken over the batch (axis 1) but the variance over axis 0; both are per feature, over the "
        "batch: np.var(x, axis=1, keepdims=True), shape (n, 1).",
        "la media se calcula sobre el lote (eje 1) pero la varianza sobre el eje 0; ambas son por característica, "
        "sobre el lote: np.var(x, axis=1, keepdims=True), forma (n, 1).",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_test_batch_stats",
        "test mode normalises with the batch's own mean and variance; at test time use running_mean and running_var.",
        "el modo test normaliza con la media y la varianza del propio lote; en test usa running_mean y running_var.",
        targets=("batchnorm_test_mode",)),
    Mistake(
        "bn_unbiased_var",
        "the variance is the unbiased one (ddof=1, 1/(m − 1)); batch normalisation uses the biased 1/m variance "
        "(np.var's default).",
        "la varianza es la insesgada (ddof=1, 1/(m − 1)); la normalización por lotes usa la varianza sesgada 1/m "
        "(la de np.var por defecto).",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_running_var_unbiased",
        "the running variance is updated with the unbiased batch variance (PyTorch's convention); here it uses the same "
        "biased 1/m variance as the normalisation (Keras' convention).",
        "la varianza acumulada se actualiza con la varianza insesgada del lote (convenio de PyTorch); aquí usa la misma "
        "varianza sesgada 1/m que la normalización (convenio de Keras).",
        targets=("batchnorm_running",)),
    Mistake(
        "bn_eps_outside_sqrt",
        "ε is added outside the square root; it goes inside: (x − μ)/sqrt(σ² + ε).",
        "ε se suma fuera de la raíz cuadrada; va dentro: (x − μ)/sqrt(σ² + ε).",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_no_eps",
        "ε is missing: x̂ = (x − μ)/sqrt(σ²); it is x̂ = (x − μ)/sqrt(σ² + ε) with ε = bn_param['eps'], in both modes "
        "(in test mode with the running variance).",
        "falta ε: x̂ = (x − μ)/sqrt(σ²); es x̂ = (x − μ)/sqrt(σ² + ε) con ε = bn_param['eps'], en ambos modos "
        "(en modo test con la varianza acumulada).",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_no_sqrt",
        "x − μ is divided by the variance σ² + ε; it is divided by the standard deviation: x̂ = (x − μ)/sqrt(σ² + ε).",
        "x − μ se divide por la varianza σ² + ε; se divide por la desviación típica: x̂ = (x − μ)/sqrt(σ² + ε).",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_eps_hardcoded",
        "ε is hard-coded (1e-5) instead of read from bn_param: use eps = bn_param['eps'] (or bn_param.get('eps', …)).",
        "ε está fijado en el código (1e-5) en lugar de leerse de bn_param: usa eps = bn_param['eps'] (o "
        "bn_param.get('eps', …)).",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_no_beta",
        "β is never added: out = γ·x̂; the output is out = γ·x̂ + β.",
        "nunca se suma β: out = γ·x̂; la salida es out = γ·x̂ + β.",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_gamma_beta_swapped",
        "γ and β are exchanged: out = β·x̂ + γ; γ scales and β shifts: out = γ·x̂ + β.",
        "γ y β están intercambiados: out = β·x̂ + γ; γ escala y β desplaza: out = γ·x̂ + β.",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_beta_before_gamma",
        "β is added before scaling: out = γ·(x̂ + β); scale first, then shift: out = γ·x̂ + β.",
        "β se suma antes de escalar: out = γ·(x̂ + β); primero se escala y después se desplaza: out = γ·x̂ + β.",
        targets=("batchnorm_train",)),
    Mistake(
        "bn_test_no_gamma_beta",
        "test mode returns x̂ without γ and β; in test mode too out = γ·x̂ + β, with x̂ = (x − running_mean)/"
        "sqrt(running_var + ε).",
        "el modo test devuelve x̂ sin γ ni β; también en modo test out = γ·x̂ + β, con x̂ = (x − running_mean)/"
        "sqrt(running_var + ε).",
        targets=("batchnorm_test_mode",)),
    Mistake(
        "bn_test_no_eps",
        "test mode divides by sqrt(running_var), without ε; ε goes in both modes: x̂ = (x − running_mean)/"
        "sqrt(running_var + ε).",
        "el modo test divide por sqrt(running_var), sin ε; ε va en ambos modos: x̂ = (x − running_mean)/"
        "sqrt(running_var + ε).",
        targets=("batchnorm_test_mode",)),
    Mistake(
        "bn_test_minus_beta",
        "test mode subtracts β: out = γ·x̂ − β; as in training, out = γ·x̂ + β.",
        "el modo test resta β: out = γ·x̂ − β; como en entrenamiento, out = γ·x̂ + β.",
        targets=("batchnorm_test_mode",)),
    Mistake(
        "bn_momentum_swapped",
        "the momentum convention is swapped (running = (1 − momentum)·running + momentum·batch); the course uses "
        "Keras' convention, with momentum close to 1: running = momentum·running + (1 − momentum)·batch.",
        "el convenio del momento está invertido (running = (1 − momentum)·running + momentum·batch); el curso usa el "
        "convenio de Keras, con el momento cercano a 1: running = momentum·running + (1 − momentum)·batch.",
        targets=("batchnorm_running",)),
    Mistake(
        "bn_momentum_hardcoded",
        "the momentum is hard-coded (0.9) instead of read from bn_param: use momentum = bn_param['momentum'] in "
        "running = momentum·running + (1 − momentum)·batch.",
        "el momento está fijado en el código (0.9) en lugar de leerse de bn_param: usa momentum = "
        "bn_param['momentum'] en running = momentum·running + (1 − momentum)·batch.",
        targets=("batchnorm_running",)),
    Mistake(
        "bn_running_mean_of_x",
        "running_mean is updated with x itself (an (n, m) array) instead of the batch mean: running_mean = "
        "momentum·running_mean + (1 − momentum)·μ, μ = np.mean(x, axis=1, keepdims=True) of shape (n, 1).",
        "running_mean se actualiza con x (un array (n, m)) en lugar de con la media del lote: running_mean = "
        "momentum·running_mean + (1 − momentum)·μ, μ = np.mean(x, axis=1, keepdims=True) de forma (n, 1).",
        targets=("batchnorm_running",)),
    Mistake(
        "bn_test_updates_running",
        "the running statistics are updated in test mode too; only training updates them: test mode reads "
        "running_mean and running_var and leaves bn_param unchanged.",
        "las estadísticas acumuladas también se actualizan en modo test; solo el entrenamiento las actualiza: el "
        "modo test lee running_mean y running_var y deja bn_param sin cambios.",
        targets=("batchnorm_test_mode",)),
    Mistake(
        "bn_running_not_stored",
        "the running statistics are not written back: assign bn_param['running_mean'] and bn_param['running_var'] "
        "after updating them (local variables are lost when the function returns).",
        "las estadísticas acumuladas no se guardan: asigna bn_param['running_mean'] y bn_param['running_var'] tras "
        "actualizarlas (las variables locales se pierden al volver de la función).",
        targets=("batchnorm_missing_running",)),
    Mistake(
        "bn_running_var_zeros",
        "a missing running_var starts at zeros; it starts at ones (np.ones((n, 1))), running_mean at zeros.",
        "una running_var que falta empieza en ceros; empieza en unos (np.ones((n, 1))), y running_mean en ceros.",
        targets=("batchnorm_missing_running",)),
    Mistake(
        "bn_backward_no_xhat_term",
        "dx is missing the term −x̂·Σ(dx̂ ⊙ x̂) that comes from σ² depending on x: "
        "dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), sums over the batch (axis 1).",
        "a dx le falta el término −x̂·Σ(dx̂ ⊙ x̂), que viene de que σ² depende de x: "
        "dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), sumas sobre el lote (eje 1).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_no_mean_term",
        "dx is missing the term −Σ dx̂ that comes from μ depending on x: "
        "dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), sums over the batch (axis 1).",
        "a dx le falta el término −Σ dx̂, que viene de que μ depende de x: "
        "dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), sumas sobre el lote (eje 1).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_constant_stats",
        "dx = dx̂/sqrt(σ² + ε) treats μ and σ² as constants (the test-mode gradient); in training they depend on x: "
        "dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), sums over the batch (axis 1).",
        "dx = dx̂/sqrt(σ² + ε) trata μ y σ² como constantes (el gradiente del modo test); en entrenamiento dependen "
        "de x: dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), sumas sobre el lote (eje 1).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_mean_term_sign",
        "dx adds Σ dx̂ instead of subtracting it: dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)).",
        "dx suma Σ dx̂ en lugar de restarlo: dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_xhat_term_sign",
        "dx adds x̂·Σ(dx̂ ⊙ x̂) instead of subtracting it: dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)).",
        "dx suma x̂·Σ(dx̂ ⊙ x̂) en lugar de restarlo: dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_no_1_over_m",
        "dx is missing the factor 1/m: dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), m the batch size "
        "(or, with means: (dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂))/sqrt(σ² + ε)).",
        "a dx le falta el factor 1/m: dx = (1/(m·sqrt(σ² + ε)))·(m·dx̂ − Σ dx̂ − x̂·Σ(dx̂ ⊙ x̂)), m el tamaño del lote "
        "(o, con medias: (dx̂ − media(dx̂) − x̂·media(dx̂ ⊙ x̂))/sqrt(σ² + ε)).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_no_gamma",
        "dx forgets γ: the gradient reaching x̂ is dx̂ = dout ⊙ γ (out = γ·x̂ + β), not dout.",
        "dx olvida γ: el gradiente que llega a x̂ es dx̂ = dout ⊙ γ (out = γ·x̂ + β), no dout.",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_eps_dropped",
        "ε is dropped in dx's direct term: dx̂/sqrt(σ²) instead of dx̂/sqrt(σ² + ε); every factor of the backward "
        "uses the same σ² + ε as the forward.",
        "falta ε en el término directo de dx: dx̂/sqrt(σ²) en lugar de dx̂/sqrt(σ² + ε); todos los factores del "
        "backward usan el mismo σ² + ε que el forward.",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_backward_var_term_no_eps",
        "ε is dropped in the variance's gradient: dσ² = Σ(dx̂ ⊙ (x − μ))·(−1/2)·(σ²)^(−3/2) instead of "
        "(σ² + ε)^(−3/2); every factor of the backward uses the same σ² + ε as the forward.",
        "falta ε en el gradiente de la varianza: dσ² = Σ(dx̂ ⊙ (x − μ))·(−1/2)·(σ²)^(−3/2) en lugar de "
        "(σ² + ε)^(−3/2); todos los factores del backward usan el mismo σ² + ε que el forward.",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_dgamma_wrong_axis",
        "dgamma and dbeta are sums over the batch, one per feature, kept as columns: "
        "np.sum(dout * x_hat, axis=1, keepdims=True) and np.sum(dout, axis=1, keepdims=True), shape (n, 1).",
        "dgamma y dbeta son sumas sobre el lote, una por característica, como columnas: "
        "np.sum(dout * x_hat, axis=1, keepdims=True) y np.sum(dout, axis=1, keepdims=True), forma (n, 1).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_dgamma_dbeta_mean",
        "dgamma and dbeta are means over the batch; they are sums: np.sum(dout * x_hat, axis=1, keepdims=True) and "
        "np.sum(dout, axis=1, keepdims=True) (γ and β act on every example of the batch).",
        "dgamma y dbeta son medias sobre el lote; son sumas: np.sum(dout * x_hat, axis=1, keepdims=True) y "
        "np.sum(dout, axis=1, keepdims=True) (γ y β actúan sobre cada ejemplo del lote).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_dgamma_no_xhat",
        "dgamma = Σ dout (the same as dbeta); γ multiplies x̂, so dgamma = np.sum(dout * x_hat, axis=1, keepdims=True).",
        "dgamma = Σ dout (igual que dbeta); γ multiplica a x̂, así que dgamma = np.sum(dout * x_hat, axis=1, "
        "keepdims=True).",
        targets=("batchnorm_backward",)),
    Mistake(
        "bn_dgamma_uses_x",
        "dgamma uses the input x instead of the normalised x̂: dgamma = np.sum(dout * x_hat, axis=1, keepdims=True).",
        "dgamma usa la entrada x en lugar de la normalizada x̂: dgamma = np.sum(dout * x_hat, axis=1, keepdims=True).",
        targets=("batchnorm_backward",)),
)

CHECK_GLOROT = "glorot_normal: shape (n_out, n_in), mean 0, std sqrt(2/(n_in + n_out))"
CHECK_HE = "he_normal: shape (n_out, n_in), mean 0, std sqrt(2/n_in)"
CHECK_NORMAL = "glorot_normal, he_normal: plain normal draws (not uniform, not truncated)"
CHECK_SEEDED = "glorot_normal, he_normal: same seed, same draws; other seed, other draws"
CHECK_TRAIN = "batchnorm_forward: train-mode output, fixtures"
CHECK_RUNNING = "batchnorm_forward: running statistics updated in bn_param, fixtures"
CHECK_MISSING = "batchnorm_forward: missing running statistics start at zeros and ones, stored in bn_param"
CHECK_TEST = "batchnorm_forward: test mode uses the running statistics, fixtures"
CHECK_BACKWARD = "batchnorm_backward: fixtures (with the cache of your batchnorm_forward)"
CHECK_GRAD = "batchnorm_backward: matches centered differences of your batchnorm_forward"


INIT = ("glorot_normal", "he_normal")
INIT_SIZES = (400, 300)  # (n_in, n_out) of the public checks: 120 000 draws a call, n_in ≠ n_out
#: draws pooled from several calls for the std and mean bounds: enough to resolve a std 0.5 % off
#: (stats.std_resolution(2 400 000) = 0.485 %); a call returns at most 1.2e6 (within the sandbox's reply bound)
INIT_DRAWS = 2_400_000
RUNNING = ("running_mean", "running_var")

GRAD_FLOOR = 1e-3  # floor of the relative error's denominator, times ‖gradient‖
#: the gradient check by the precision of what the submission returns: (h, tolerance, ε, rounding margin);
#: the other floor of the denominator is margin·ε·Σ|dout ⊙ out|/(h·tol) (see _rel)
PRECISION = {
    "float64": (1e-5, 1e-6, float(np.finfo(np.float64).eps), 100.0),
    "float32": (1e-2, 1e-3, float(np.finfo(np.float32).eps), 1.0),
}


# ------------------------------------------------------------------ initialisation: statistics
def _std_formula(name: str, n_in: int, n_out: int) -> float:
    return math.sqrt(2.0 / (n_in + n_out)) if name == "glorot_normal" else math.sqrt(2.0 / n_in)


def _wrong_stds(name: str, n_in: int, n_out: int) -> dict:
    """mistake id -> stds a known mistake gives, to name it when the sample std matches one."""
    right = _std_formula(name, n_in, n_out)
    rand = {"init_rand": (right / math.sqrt(12.0),)}  # U(0, 1)·σ: std σ/√12
    if name == "glorot_normal":
        return {"init_glorot_fan_in": (math.sqrt(1.0 / n_in), math.sqrt(2.0 / n_in)),
                "init_glorot_no_factor_2": (math.sqrt(1.0 / (n_in + n_out)),),
                "init_uniform_limit_as_std": (math.sqrt(6.0 / (n_in + n_out)),),
                "init_variance_as_std": (2.0 / (n_in + n_out),), **rand}
    return {"init_he_fan_out": (math.sqrt(2.0 / n_out),), "init_he_no_factor_2": (math.sqrt(1.0 / n_in),),
            "init_he_glorot_std": (math.sqrt(2.0 / (n_in + n_out)),),
            "init_uniform_limit_as_std": (math.sqrt(6.0 / n_in),), "init_variance_as_std": (2.0 / n_in,), **rand}


def _call_init(ctx, name: str, n_in: int, n_out: int, seed: int) -> np.ndarray:
    got = ctx.impl.call(name, n_in, n_out, Rng(seed))
    arr, detail = as_float_array(got)
    if arr is None or arr.ndim != 2 or not np.all(np.isfinite(arr)):
        what = detail if arr is None else (
            ctx.text(Text("an array of shape {shape}", "un array de forma {shape}"), shape=arr.shape) if arr.ndim != 2
            else ctx.text(Text("NaN or inf values", "valores NaN o inf")))
        raise Fail(ctx.text(Text("{name}({n_in}, {n_out}, rng) should return a 2-D array of finite numbers; got {got}.",
                                 "{name}({n_in}, {n_out}, rng) debería devolver un array 2-D de números finitos; se obtuvo {got}."),
                            name=name, n_in=n_in, n_out=n_out, got=what))
    return arr


def _assert_shape(ctx, name, w, n_in, n_out):
    if w.shape == (n_out, n_in):
        return
    message = ctx.text(Text("{name}(n_in={n_in}, n_out={n_out}, rng) should have shape (n_out, n_in) = {shape}; got {got}.",
                            "{name}(n_in={n_in}, n_out={n_out}, rng) debería tener forma (n_out, n_in) = {shape}; se obtuvo {got}."),
                       name=name, n_in=n_in, n_out=n_out, shape=(n_out, n_in), got=w.shape)
    if w.shape == (n_in, n_out):
        message += ctx.mistake("init_transposed")
    raise Fail(message)


def _pooled_draws(ctx, name, n_in, n_out, seeds):
    """The draws of one call per seed, each of shape (n_out, n_in): (the first call's array, all draws as one
    vector). Draws of differently seeded generators are independent, so they pool into one sample."""
    arrays = []
    for seed in seeds:
        w = _call_init(ctx, name, n_in, n_out, seed=int(seed))
        _assert_shape(ctx, name, w, n_in, n_out)
        arrays.append(w)
    return arrays[0], np.concatenate([w.ravel() for w in arrays])


def _calls_for(n_in, n_out):
    """How many calls of size (n_in, n_out) give at least INIT_DRAWS draws."""
    return -(-INIT_DRAWS // (n_in * n_out))


def _assert_moments(ctx, name, w, n_in, n_out, calls=1):
    """Sample std inside the chi-square bound of the formula, then the mean within 5.3 σ/√N of 0;
    ``w``: the draws of ``calls`` calls of size (n_in, n_out), pooled."""
    sigma = _std_formula(name, n_in, n_out)
    n = w.size
    lo, hi = std_ratio_bounds(n)
    s = float(np.std(w, ddof=1))
    if not lo * sigma <= s <= hi * sigma:
        formula = "sqrt(2/(n_in + n_out))" if name == "glorot_normal" else "sqrt(2/n_in)"
        message = ctx.text(Text(
            "{name}({n_in}, {n_out}, rng), {calls} call(s) with different seeds: the sample std of the {n} draws is "
            "{s:.5g} ({dev:+.2%} off); std = {formula} = {sigma:.5g} allows {lo:.5g} to {hi:.5g} (chi-square bound, "
            "false alarm < 1e-6).",
            "{name}({n_in}, {n_out}, rng), {calls} llamada(s) con semillas distintas: la std muestral de los {n} "
            "valores es {s:.5g} (desviada un {dev:+.2%}); std = {formula} = {sigma:.5g} admite de {lo:.5g} a {hi:.5g} "
            "(cota chi-cuadrado, falsa alarma < 1e-6)."),
            name=name, n_in=n_in, n_out=n_out, calls=calls, n=n, s=s, dev=s / sigma - 1, formula=formula, sigma=sigma,
            lo=lo * sigma, hi=hi * sigma)
        # the known wrong std within whose bound s falls; where two of them do (the hidden check's sizes can
        # bring two formulas within 0.5 % of each other), the closer one
        found = [(abs(s / other - 1), mistake) for mistake, stds in _wrong_stds(name, n_in, n_out).items()
                 for other in stds if lo * other <= s <= hi * other]
        if found:
            message += ctx.mistake(min(found)[1])
        raise Fail(message)
    mean = float(np.mean(w))
    bound = Z * sigma / math.sqrt(n)
    if abs(mean) > bound:
        raise Fail(ctx.text(Text("{name}({n_in}, {n_out}, rng): the mean of the {n} draws is {mean:.3g}; a zero-mean "
                                 "normal stays within ±{bound:.3g} (5.3 σ/√N).",
                                 "{name}({n_in}, {n_out}, rng): la media de los {n} valores es {mean:.3g}; una normal de "
                                 "media 0 queda dentro de ±{bound:.3g} (5.3 σ/√N)."),
                            name=name, n_in=n_in, n_out=n_out, n=n, mean=mean, bound=bound))


def _assert_normal_tails(ctx, name, w, n_in, n_out):
    """Draws beyond 2 and 3 sample stds within binomial bounds of a normal's 4.55 % and 0.27 %."""
    v = w.ravel()
    s = float(np.std(v, ddof=1))
    if not s > 0:
        raise Fail(ctx.text(Text("{name}({n_in}, {n_out}, rng): every draw is equal.",
                                 "{name}({n_in}, {n_out}, rng): todos los valores son iguales."),
                            name=name, n_in=n_in, n_out=n_out))
    z = np.abs(v - v.mean()) / s
    for c in (2.0, 3.0):
        expected, p, bound = tail_bounds(v.size, c)
        count = int(np.count_nonzero(z > c))
        if abs(count - expected) <= bound:
            continue
        message = ctx.text(Text(
            "{name}({n_in}, {n_out}, rng): {count} of {n} draws ({frac:.3%}) lie beyond {c:g} standard deviations of "
            "the mean (the largest at {zmax:.3g}); a normal puts {p:.3%} there: {expected:.0f} ± {bound:.0f}.",
            "{name}({n_in}, {n_out}, rng): {count} de {n} valores ({frac:.3%}) están a más de {c:g} desviaciones típicas "
            "de la media (el mayor a {zmax:.3g}); una normal pone ahí el {p:.3%}: {expected:.0f} ± {bound:.0f}."),
            name=name, n_in=n_in, n_out=n_out, count=count, n=v.size, frac=count / v.size, c=c, zmax=float(z.max()),
            p=p, expected=expected, bound=bound)
        if z.max() < 1.75:  # a uniform's draws all lie within √3 ≈ 1.73 standard deviations
            # U(0, 1)·σ (rand for randn) is not centred: its mean is √3 of its stds from 0
            message += ctx.mistake("init_rand" if v.mean() > s else "init_uniform")
        elif np.count_nonzero(z > 3.0) == 0:
            message += ctx.mistake("init_truncated")
        raise Fail(message)


def _check_std(ctx, name, seed):
    calls = _calls_for(*INIT_SIZES)
    _, draws = _pooled_draws(ctx, name, *INIT_SIZES, [seed] + [1000 * seed + i for i in range(1, calls)])
    _assert_moments(ctx, name, draws, *INIT_SIZES, calls=calls)


def check_glorot(ctx):
    _check_std(ctx, "glorot_normal", 1)


def check_he(ctx):
    _check_std(ctx, "he_normal", 2)


def check_normal(ctx):
    for seed, name in enumerate(INIT, 3):
        w = _call_init(ctx, name, *INIT_SIZES, seed=seed)
        _assert_normal_tails(ctx, name, w, *INIT_SIZES)


def check_seeded(ctx):
    n_in, n_out = 20, 10
    for name in INIT:
        first = _call_init(ctx, name, n_in, n_out, seed=11)
        again = _call_init(ctx, name, n_in, n_out, seed=11)
        other = _call_init(ctx, name, n_in, n_out, seed=12)
        if not np.array_equal(first, again):
            raise Fail(ctx.text(Text("{name}: two calls with generators seeded alike gave different weights.",
                                     "{name}: dos llamadas con generadores de la misma semilla dieron pesos distintos."),
                                name=name) + ctx.mistake("init_ignores_rng"))
        if np.array_equal(first, other):  # 200 normal draws: equal by chance with probability 0
            raise Fail(ctx.text(Text("{name}: generators with different seeds gave the same weights.",
                                     "{name}: generadores con semillas distintas dieron los mismos pesos."),
                                name=name) + ctx.mistake("init_ignores_rng"))


def hidden_init_sizes(rng) -> tuple[int, int]:
    """Fresh (n_in, n_out): 60 000 to 150 000 draws, n_in ≠ n_out by at least a factor 1.2 either way."""
    big, small = int(rng.integers(300, 500)), int(rng.integers(200, 250))
    return (big, small) if rng.random() < 0.5 else (small, big)


def check_init_hidden(ctx):
    for name in INIT:
        n_in, n_out = hidden_init_sizes(ctx.rng)
        calls = _calls_for(n_in, n_out)
        first = int(ctx.rng.integers(2**31 - 64))
        w, draws = _pooled_draws(ctx, name, n_in, n_out, range(first, first + calls))  # distinct seeds
        _assert_moments(ctx, name, draws, n_in, n_out, calls=calls)
        _assert_normal_tails(ctx, name, w, n_in, n_out)  # one call's draws: the bounds stated for N ≥ 60 000


# ------------------------------------------------------------------ batchnorm: inputs
def _bn_x(rng, n, m, scale=(0.3, 3.0)):
    """x (n, m): each row with its own offset (up to ±3) and spread."""
    return rng.uniform(-3.0, 3.0, (n, 1)) + rng.uniform(*scale, (n, 1)) * rng.standard_normal((n, m))


def _gamma(rng, n):
    return np.where(rng.random((n, 1)) < 0.25, -1.0, 1.0) * rng.uniform(0.5, 2.0, (n, 1))


def _bn_param(rng, n, mode, eps, momentum, running=True):
    param = {"mode": mode, "eps": eps, "momentum": momentum}
    if running:
        param["running_mean"] = rng.standard_normal((n, 1))
        param["running_var"] = rng.uniform(0.5, 2.0, (n, 1))
    return param


def _case(rng, n, m, mode, eps, momentum, running=True, prefix=""):
    return {"x": _bn_x(rng, n, m), "gamma": _gamma(rng, n), "beta": rng.standard_normal((n, 1)),
            "bn_param": _bn_param(rng, n, mode, eps, momentum, running),
            "_label": f"{prefix}x of shape {(n, m)}, mode {mode!r}, eps = {eps:g}, momentum = {momentum:g}"}


def train_inputs(rng):
    return [_case(rng, 4, 8, "train", 1e-3, 0.9), _case(rng, 3, 5, "train", 1e-2, 0.8)]


def running_inputs(rng):
    case = _case(rng, 3, 6, "train", 1e-2, 0.8)
    case["xs"] = [case.pop("x")] + [_bn_x(rng, 3, 6) for _ in range(2)]
    case["_label"] = "three training steps on batches of shape (3, 6), eps = 0.01, momentum = 0.8"
    return [case]


def test_mode_inputs(rng):
    return [_case(rng, 4, 6, "test", 1e-2, 0.9), _case(rng, 3, 7, "test", 1e-1, 0.8)]


def backward_inputs(rng):
    cases = [_case(rng, 4, 6, "train", 1e-3, 0.9), _case(rng, 3, 8, "train", 1e-2, 0.8)]
    for case in cases:
        case["dout"] = rng.standard_normal(case["x"].shape)
    return cases


def _fresh_shape(rng):
    return int(rng.integers(2, 7)), int(rng.integers(4, 11))


def _fresh_hyper(rng):
    return float(10 ** rng.uniform(-3, -1)), float(rng.uniform(0.6, 0.95))


def forward_hidden_inputs(rng):
    cases = []
    for running in (True, False):
        n, m = _fresh_shape(rng)
        eps, momentum = _fresh_hyper(rng)
        case = _case(rng, n, m, "train", eps, momentum, running)
        case["xs"] = [case.pop("x"), _bn_x(rng, n, m)]
        case["x_test"] = _bn_x(rng, n, int(rng.integers(3, 9)))
        stats = "given running statistics" if running else "no running statistics in bn_param"
        case["_label"] = (f"fresh: two training steps on x of shape {(n, m)} then test mode, {stats}, "
                          f"eps = {eps:.3g}, momentum = {momentum:.3g}")
        cases.append(case)
    return cases


def backward_hidden_inputs(rng):
    cases = []
    for _ in range(2):
        n, m = _fresh_shape(rng)
        eps, momentum = _fresh_hyper(rng)
        case = _case(rng, n, m, "train", eps, momentum, prefix="fresh: ")
        case["dout"] = rng.standard_normal((n, m))
        cases.append(case)
    return cases


# ------------------------------------------------------------------ batchnorm: procedures
OUT_FORWARD = "out (from your batchnorm_forward)"
GRAD_LABELS = ("dx", "dgamma", "dbeta")


def _describe(value) -> str:
    n = f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""
    return f"a {type(value).__name__}{n}"


def _pair(result):
    """(out, cache) of a forward call; out is Unsupported (and cache None) when it is not a pair."""
    if isinstance(result, (tuple, list)) and len(result) == 2:
        return result[0], result[1]
    return Unsupported(f"{_describe(result)} from batchnorm_forward instead of (out, cache)"), None


def forward(impl, x, gamma, beta, bn_param):
    """One forward call: (out, cache, bn_param as the function left it)."""
    result, args = impl.call("batchnorm_forward", x, gamma, beta, dict(bn_param), return_args=True)
    out, cache = _pair(result)
    return out, cache, args[3]


def train_procedure(impl, inputs):
    out, _, _ = forward(impl, inputs["x"], inputs["gamma"], inputs["beta"], inputs["bn_param"])
    return {"out (train mode)": out}


def running_procedure(impl, inputs):
    bn_param, outputs = inputs["bn_param"], {}
    for k, x in enumerate(inputs["xs"], 1):
        _, _, bn_param = forward(impl, x, inputs["gamma"], inputs["beta"], bn_param)
        for key in RUNNING:
            outputs[f"bn_param[{key!r}] after step {k}"] = bn_param.get(key)
    return outputs


def test_mode_procedure(impl, inputs):
    out, _, bn_param = forward(impl, inputs["x"], inputs["gamma"], inputs["beta"], inputs["bn_param"])
    outputs = {"out (test mode)": out}
    for key in RUNNING:
        outputs[f"bn_param[{key!r}] after the test-mode call"] = bn_param.get(key)
    return outputs


def forward_hidden_procedure(impl, inputs):
    bn_param, outputs = inputs["bn_param"], {}
    for k, x in enumerate(inputs["xs"], 1):
        out, _, bn_param = forward(impl, x, inputs["gamma"], inputs["beta"], bn_param)
        outputs[f"out (training step {k})"] = out
    for key in RUNNING:
        outputs[f"bn_param[{key!r}] after training"] = bn_param.get(key)
    try:
        out, _, _ = forward(impl, inputs["x_test"], inputs["gamma"], inputs["beta"], dict(bn_param, mode="test"))
    except StudentRaised:
        if _column_stats(bn_param, inputs["xs"][0].shape[0]):
            raise
        return outputs  # running statistics of the wrong shape, reported above, cannot fit a test batch
    outputs["out (test mode, after training)"] = out
    return outputs


def _column_stats(bn_param, n) -> bool:
    """Whether both running statistics are arrays of shape (n, 1) (or (n,))."""
    for key in RUNNING:
        arr, _ = as_float_array(bn_param.get(key))
        if arr is None or arr.shape not in ((n, 1), (n,)):
            return False
    return True


def gradient_procedure(impl, inputs):
    """The train-mode output and the gradients for ``dout`` (the gradient check's own draws)."""
    out, cache, _ = forward(impl, inputs["x"], inputs["gamma"], inputs["beta"], inputs["bn_param"])
    outputs = {"out (train mode)": out}
    if not isinstance(out, Unsupported):
        outputs.update(labelled(impl.call("batchnorm_backward", inputs["dout"], cache), GRAD_LABELS,
                                "batchnorm_backward"))
    return outputs


def backward_procedure(impl, inputs):
    out, cache, _ = forward(impl, inputs["x"], inputs["gamma"], inputs["beta"], inputs["bn_param"])
    outputs = {OUT_FORWARD: out}
    if isinstance(out, Unsupported):
        return outputs
    outputs.update(labelled(impl.call("batchnorm_backward", inputs["dout"], cache), GRAD_LABELS, "batchnorm_backward"))
    return outputs


# ------------------------------------------------------------------ specs
#: train-mode forward mistakes: they change the training output (and so the backward checks' cache)
TRAIN_MISTAKES = ("bn_wrong_axis", "bn_var_wrong_axis", "bn_unbiased_var", "bn_eps_outside_sqrt", "bn_no_eps",
                  "bn_no_sqrt", "bn_eps_hardcoded", "bn_no_beta", "bn_gamma_beta_swapped", "bn_beta_before_gamma")
#: running-statistics mistakes
RUNNING_MISTAKES = ("bn_momentum_swapped", "bn_running_var_unbiased", "bn_running_not_stored", "bn_momentum_hardcoded",
                    "bn_running_mean_of_x", "bn_wrong_axis", "bn_var_wrong_axis")
#: test-mode mistakes, the test-only ones first (a mistake of both modes is named by the train-mode check)
TEST_MISTAKES = ("bn_test_batch_stats", "bn_test_no_gamma_beta", "bn_test_no_eps", "bn_test_minus_beta",
                 "bn_test_updates_running", "bn_eps_outside_sqrt", "bn_no_eps", "bn_no_sqrt", "bn_eps_hardcoded",
                 "bn_no_beta", "bn_gamma_beta_swapped", "bn_beta_before_gamma")
FORWARD_MISTAKES = tuple(dict.fromkeys(TRAIN_MISTAKES + RUNNING_MISTAKES + TEST_MISTAKES
                                       + ("bn_running_var_zeros",)))
BACKWARD_MISTAKES = ("bn_backward_no_xhat_term", "bn_backward_no_mean_term", "bn_backward_constant_stats",
                     "bn_backward_mean_term_sign", "bn_backward_xhat_term_sign", "bn_backward_no_1_over_m",
                     "bn_backward_no_gamma", "bn_backward_eps_dropped", "bn_backward_var_term_no_eps",
                     "bn_dgamma_wrong_axis", "bn_dgamma_dbeta_mean", "bn_dgamma_no_xhat", "bn_dgamma_uses_x")

TRAIN_SPEC = CaseSpec("ex8.batchnorm_train", train_inputs, train_procedure, mistakes=TRAIN_MISTAKES)
RUNNING_SPEC = CaseSpec("ex8.batchnorm_running", running_inputs, running_procedure, mistakes=RUNNING_MISTAKES)
TEST_SPEC = CaseSpec("ex8.batchnorm_test", test_mode_inputs, test_mode_procedure, mistakes=TEST_MISTAKES)
#: the backward checks also carry the train-mode forward mistakes: a wrong ``out`` is the forward's fault, named
BACKWARD_SPEC = CaseSpec("ex8.batchnorm_backward", backward_inputs, backward_procedure,
                         mistakes=BACKWARD_MISTAKES + TRAIN_MISTAKES)

# hidden only (fresh inputs, never in the fixtures)
FORWARD_HIDDEN_SPEC = CaseSpec("ex8.batchnorm_forward_hidden", forward_hidden_inputs, forward_hidden_procedure,
                               mistakes=FORWARD_MISTAKES)
BACKWARD_HIDDEN_SPEC = CaseSpec("ex8.batchnorm_backward_hidden", backward_hidden_inputs, backward_procedure,
                                mistakes=BACKWARD_MISTAKES + TRAIN_MISTAKES)
#: the reference's train-mode output and gradients on the gradient check's own draws (the public ones in the
#: fixtures), with the known mistakes' to name a wrong forward or a wrong backward
GRAD_FORWARD_SPEC = CaseSpec("ex8.batchnorm_gradient_forward", None, gradient_procedure, asked_by=CHECK_GRAD,
                             mistakes=TRAIN_MISTAKES + BACKWARD_MISTAKES)

SPECS = [TRAIN_SPEC, RUNNING_SPEC, TEST_SPEC, BACKWARD_SPEC, GRAD_FORWARD_SPEC]


# ------------------------------------------------------------------ missing running statistics (own vs own)
def _forward_checked(ctx, x, gamma, beta, bn_param):
    """forward(), failing the check when batchnorm_forward does not return a pair."""
    out, cache, after = forward(ctx.impl, x, gamma, beta, bn_param)
    if isinstance(out, Unsupported):
        raise Fail(ctx.text(Text("batchnorm_forward returned {got}.", "batchnorm_forward devolvió {got}."),
                            got=out.what))
    return out, cache, after


def check_missing_running_stats(ctx):
    n, m, eps, momentum = 4, 6, 1e-2, 0.9
    x, gamma, beta = _bn_x(ctx.rng, n, m), _gamma(ctx.rng, n), ctx.rng.standard_normal((n, 1))
    bare = {"mode": "train", "eps": eps, "momentum": momentum}
    start = {"running_mean": np.zeros((n, 1)), "running_var": np.ones((n, 1))}
    _, _, after = _forward_checked(ctx, x, gamma, beta, bare)
    missing = [key for key in RUNNING if after.get(key) is None]
    if missing:
        raise Fail(ctx.text(Text("after a training-mode call with bn_param = {{'mode', 'eps', 'momentum'}} only, bn_param "
                                 "has no {keys}: create the missing running statistics (zeros and ones of shape (n, 1)) "
                                 "and store the updated ones in bn_param.",
                                 "tras una llamada en modo train con bn_param = {{'mode', 'eps', 'momentum'}} solamente, "
                                 "bn_param no tiene {keys}: crea las estadísticas acumuladas que falten (ceros y unos de "
                                 "forma (n, 1)) y guarda las actualizadas en bn_param."),
                            keys=" / ".join(repr(k) for k in missing)) + ctx.mistake("bn_running_not_stored"))
    _, _, own = _forward_checked(ctx, x, gamma, beta, dict(bare, **start))
    for key in RUNNING:
        expected, _ = as_float_array(own.get(key))
        if expected is None:
            raise Fail(ctx.text(Text("after a training-mode call, bn_param[{key!r}] is not an array of numbers.",
                                     "tras una llamada en modo train, bn_param[{key!r}] no es un array de números."),
                                key=key))
        mismatch = compare(after[key], expected)
        if mismatch is None:
            continue
        message = ctx.text(Text(
            "with no running statistics in bn_param, your batchnorm_forward should behave as with running_mean = zeros "
            "and running_var = ones (shape (n, 1)); after one training step: {detail}",
            "sin estadísticas acumuladas en bn_param, tu batchnorm_forward debería comportarse como con running_mean = "
            "ceros y running_var = unos (forma (n, 1)); tras un paso de entrenamiento: {detail}"),
            detail=mismatch.describe(ctx.text(Text("{key} (vs. your own result from the explicit start)",
                                                   "{key} (frente a tu propio resultado con el inicio explícito)"),
                                              key=key), ctx.lang))
        if key == "running_var":  # does it match your own run from running_var = zeros?
            _, _, zeros = _forward_checked(ctx, x, gamma, beta, dict(bare, running_mean=np.zeros((n, 1)),
                                                                     running_var=np.zeros((n, 1))))
            from_zeros, _ = as_float_array(zeros.get(key))
            if from_zeros is not None and compare(after[key], from_zeros) is None:
                message += ctx.mistake("bn_running_var_zeros")
        raise Fail(message)
    test_bare = dict(bare, mode="test")
    out_bare, _, _ = _forward_checked(ctx, x, gamma, beta, test_bare)
    out_start, _, _ = _forward_checked(ctx, x, gamma, beta, dict(test_bare, **start))
    expected, _ = as_float_array(out_start)
    mismatch = None if expected is None else compare(out_bare, expected)
    if expected is None or mismatch is not None:
        detail = (mismatch.describe("out", ctx.lang) if mismatch is not None
                  else ctx.text(Text("out is not an array of numbers", "out no es un array de números")))
        raise Fail(ctx.text(Text("in test mode with no running statistics in bn_param, your batchnorm_forward should "
                                 "behave as with running_mean = zeros and running_var = ones: {detail}",
                                 "en modo test sin estadísticas acumuladas en bn_param, tu batchnorm_forward debería "
                                 "comportarse como con running_mean = ceros y running_var = unos: {detail}"),
                            detail=detail))


# ------------------------------------------------------------------ gradient check of the student's own forward
def _unit(rng, shape):
    d = rng.standard_normal(shape)
    return d / np.linalg.norm(d)


def _rel(analytic, numeric, grad_norm, scale, precision):
    """Relative error of a directional derivative. The floor of the denominator is the larger of
    GRAD_FLOOR·‖gradient‖ and margin·ε·scale/(h·tol), scale = Σ|dout ⊙ out|: ε·scale/h bounds the rounding
    error of the centered difference, so rounding alone stays below tol/margin."""
    h, tol, eps, margin = PRECISION[precision]
    floor = max(GRAD_FLOOR * grad_norm, margin * eps * scale / (h * tol), 1e-300)
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), floor)


def _precision(*values) -> str:
    low = any(isinstance(v, np.ndarray) and v.dtype in (np.float32, np.float16) for v in values)
    return "float32" if low else "float64"


def _grad_array(ctx, value, shape, label):
    arr, detail = as_float_array(value)
    if arr is not None and arr.shape == shape:
        return arr
    message = ctx.text(Text("{label} from batchnorm_backward should have shape {shape}; got {got}.",
                            "{label} de batchnorm_backward debería tener forma {shape}; se obtuvo {got}."),
                       label=label, shape=shape, got=detail if arr is None else arr.shape)
    if arr is not None and label != "dx":
        message += ctx.mistake("bn_dgamma_wrong_axis")
    raise Fail(message)


def check_backward_gradient(ctx):
    n, m, eps, momentum = 4, 7, 1e-2, 0.9
    x = _bn_x(ctx.rng, n, m, scale=(0.5, 2.0))
    gamma, beta = _gamma(ctx.rng, n), ctx.rng.standard_normal((n, 1))
    dout = ctx.rng.standard_normal((n, m))
    bn_param = {"mode": "train", "eps": eps, "momentum": momentum,
                "running_mean": np.zeros((n, 1)), "running_var": np.ones((n, 1))}
    values = {"x": x, "gamma": gamma, "beta": beta}

    def out_at(**moved):
        p = dict(values, **moved)
        out, _, _ = _forward_checked(ctx, p["x"], p["gamma"], p["beta"], bn_param)
        return out

    out, cache, _ = _forward_checked(ctx, x, gamma, beta, bn_param)
    expected = reference_case(GRAD_FORWARD_SPEC, {"x": x, "gamma": gamma, "beta": beta, "bn_param": bn_param,
                                                  "dout": dout})
    mismatch = compare(out, expected.accepted["reference"]["out (train mode)"])
    if mismatch is not None:
        detail = mismatch.describe("out (train mode)", ctx.lang).rstrip(".")
        kept = _correct_given_forward(ctx, expected, out, cache, dout, detail)
        if kept is not None:
            return kept
        raise Fail(t("depends", ctx.lang, other="batchnorm_forward", detail=detail)
                   + _known(ctx, expected, {"out (train mode)": out}))
    grads = ctx.impl.call("batchnorm_backward", dout, cache)
    if not isinstance(grads, (tuple, list)) or len(grads) != 3:
        raise Fail(ctx.text(Text("batchnorm_backward should return (dx, dgamma, dbeta); it returned {got}.",
                                 "batchnorm_backward debería devolver (dx, dgamma, dbeta); devolvió {got}."),
                            got=_describe(grads)))
    precision = _precision(out, *grads)
    h, tol, _, _ = PRECISION[precision]
    arrays = {label: _grad_array(ctx, g, values[label[1:]].shape, label) for label, g in zip(GRAD_LABELS, grads)}
    for label, g in arrays.items():
        name = label[1:]
        for _ in range(2):
            u = _unit(ctx.rng, g.shape)
            costs, scale = [], 0.0
            for sign in (1.0, -1.0):
                out_moved = np.asarray(out_at(**{name: values[name] + sign * h * u}), dtype=np.float64)
                costs.append(float(np.sum(dout * out_moved)))
                scale = max(scale, float(np.sum(np.abs(dout * out_moved))))
            numeric = (costs[0] - costs[1]) / (2 * h)
            analytic = float(np.sum(g * u))
            rel = _rel(analytic, numeric, float(np.linalg.norm(g)), scale, precision)
            if not rel < tol:
                raise Fail(ctx.text(Text(
                    "{label}: along a random unit direction D, ⟨{label}, D⟩ = {a:.8g} from your batchnorm_backward, but "
                    "centered differences (J(P + hD) − J(P − hD))/(2h) of J = Σ dout ⊙ out with your batchnorm_forward "
                    "give {num:.8g} (relative error {rel:.2g}, tolerance {tol:g}, h = {h:g}, {precision}).",
                    "{label}: a lo largo de una dirección unitaria aleatoria D, ⟨{label}, D⟩ = {a:.8g} según tu "
                    "batchnorm_backward, pero las diferencias centradas (J(P + hD) − J(P − hD))/(2h) de J = Σ dout ⊙ out "
                    "con tu batchnorm_forward dan {num:.8g} (error relativo {rel:.2g}, tolerancia {tol:g}, h = {h:g}, "
                    "{precision})."),
                    label=label, a=analytic, num=numeric, rel=rel, tol=tol, h=h, precision=precision)
                       + _known(ctx, expected, dict(zip(GRAD_LABELS, grads), **{"out (train mode)": out})))
    return None


def _correct_given_forward(ctx, case, out, cache, dout, detail):
    """One error scored once: when the forward's output is a known forward mistake's and the backward, given the
    student's own cache, returns exactly the gradients the reference backward returns on that mistake's cache, the
    backward is right on what it was given: a note (the check keeps its points) naming the forward's mistake,
    scored by the forward checks. None otherwise."""
    for mistake_id, outputs in case.variants.items():
        mistake = ctx.mistakes.get(mistake_id)
        if mistake is None or ctx.check.id in mistake.targets or not all(label in outputs for label in GRAD_LABELS):
            continue
        if "out (train mode)" not in outputs or compare(out, outputs["out (train mode)"]) is not None:
            continue
        got = labelled(ctx.impl.call("batchnorm_backward", dout, cache), GRAD_LABELS, "batchnorm_backward")
        if all(label in got and compare(got[label], outputs[label]) is None for label in GRAD_LABELS):
            return (t("depends_ok", ctx.lang, other="batchnorm_forward", detail=detail)
                    + t("mistake", ctx.lang, mistake=mistake(ctx.lang)))
        return None
    return None


def _known(ctx, case, got: dict):
    """" Likely mistake: …" for the first known mistake of ``case`` whose outputs all match ``got`` on the labels
    ``got`` has (the forward's output alone, or the output and the gradients), or an empty message."""
    for mistake_id, outputs in case.variants.items():
        if mistake_id in ctx.mistakes and all(
                label in outputs and compare(got[label], outputs[label]) is None for label in got):
            return ctx.mistake(mistake_id)
    return ""


# ------------------------------------------------------------------ the checks
_FORWARD = ("batchnorm_forward",)
_BACKWARD = ("batchnorm_forward", "batchnorm_backward")
_DEPENDS = {OUT_FORWARD: "batchnorm_forward"}

CHECKS = [
    # initialisation (public 2, hidden 1)
    Check(CHECK_GLOROT, 0.5, check_glorot, ("glorot_normal",), cell="init", id="glorot_std",
          title_es="glorot_normal: forma (n_out, n_in), media 0, std sqrt(2/(n_in + n_out))"),
    Check(CHECK_HE, 0.5, check_he, ("he_normal",), cell="init", id="he_std",
          title_es="he_normal: forma (n_out, n_in), media 0, std sqrt(2/n_in)"),
    Check(CHECK_NORMAL, 0.5, check_normal, INIT, cell="init", id="init_normal",
          title_es="glorot_normal, he_normal: valores de una normal (ni uniforme ni truncada)"),
    Check(CHECK_SEEDED, 0.5, check_seeded, INIT, cell="init", id="init_seeded",
          title_es="glorot_normal, he_normal: misma semilla, mismos valores; otra semilla, otros valores"),
    Check("glorot_normal, he_normal (hidden): fresh sizes", 1, check_init_hidden, INIT, hidden=True, cell="init",
          id="init_hidden", title_es="glorot_normal, he_normal (oculta): tamaños nuevos"),
    # batchnorm_forward (public 2.5, hidden 1.5)
    compare_check(CHECK_TRAIN, TRAIN_SPEC, 1, _FORWARD, cell="batchnorm_forward", id="batchnorm_train",
                  title_es="batchnorm_forward: salida en modo train, casos públicos"),
    compare_check(CHECK_RUNNING, RUNNING_SPEC, 0.5, _FORWARD, cell="batchnorm_forward", id="batchnorm_running",
                  title_es="batchnorm_forward: estadísticas acumuladas actualizadas en bn_param, casos públicos"),
    Check(CHECK_MISSING, 0.5, check_missing_running_stats, _FORWARD, cell="batchnorm_forward",
          id="batchnorm_missing_running",
          title_es="batchnorm_forward: las estadísticas acumuladas que faltan empiezan en ceros y unos, y se guardan "
                   "en bn_param"),
    compare_check(CHECK_TEST, TEST_SPEC, 0.5, _FORWARD, cell="batchnorm_forward", id="batchnorm_test_mode",
                  title_es="batchnorm_forward: el modo test usa las estadísticas acumuladas, casos públicos"),
    compare_check("batchnorm_forward (hidden): fresh inputs, training then test mode", FORWARD_HIDDEN_SPEC, 1.5,
                  _FORWARD, hidden=True, cell="batchnorm_forward", id="batchnorm_forward_hidden",
                  title_es="batchnorm_forward (oculta): entradas nuevas, modo train y después modo test"),
    # batchnorm_backward (public 2, hidden 1)
    compare_check(CHECK_BACKWARD, BACKWARD_SPEC, 1, _BACKWARD, cell="batchnorm_backward", depends=_DEPENDS,
                  id="batchnorm_backward",
                  title_es="batchnorm_backward: casos públicos (con la caché de tu batchnorm_forward)"),
    Check(CHECK_GRAD, 1, check_backward_gradient, _BACKWARD, cell="batchnorm_backward", id="batchnorm_gradient_check",
          title_es="batchnorm_backward: coincide con las diferencias centradas de tu batchnorm_forward"),
    compare_check("batchnorm_backward (hidden): fresh inputs", BACKWARD_HIDDEN_SPEC, 1, _BACKWARD, hidden=True,
                  cell="batchnorm_backward", depends=_DEPENDS, id="batchnorm_backward_hidden",
                  title_es="batchnorm_backward (oculta): entradas nuevas"),
]
