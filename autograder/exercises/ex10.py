"""ex10 noise-norm: Gaussian noise, Gaussian dropout and layer normalisation (SPEC, ex10).

What is checked
* **The two noise layers** are random, so they are graded by distribution and consistency, never
  by the random stream (the same checks for both, declared once per layer in :data:`LAYERS`):
  - *contract*: ``(out, noise)`` / ``(out, mask)`` shaped like ``a``, finite, and
    ``out == a + noise`` / ``out == a * mask`` (compared at the project's rtol 1e-6); draws combined
    the other way, draws of shape ``()`` or ``(1, m)`` (one draw, one per example) with ``out`` their
    broadcast combination, and ``(a, None)`` in training while test mode draws (the train flag read
    backwards) are each named;
  - *distribution*: the sample mean of the noise (mask) within 5.3 σ/√N of 0 (1), its sample std
    inside the two-sided χ² bound of σ (Wilson–Hilferty, :mod:`autograder.stats`), and the
    draws beyond 2 and 3 sample stds within 5.3 binomial standard deviations of a normal's
    4.55 % and 0.27 % (as in ex8). N = 60 000 public draws, ≥ 22 500 hidden ones: four bounds at
    5.3σ, so a correct layer fails one with probability below 5e-7 (naming mistakes changes no
    bound). A std or mean that falls in the same bounds around a known mistake's value names that
    mistake (another distribution's, e.g. uniform noise's, only when both its mean and std do;
    every value it falls near, where two wrong stds meet at a hidden parameter);
  - *test mode*: ``train=False`` gives ``a`` unchanged and ``None``;
  - *seeded*: the same seed gives the same draws, another seed others (draws of any shape: their
    shape is the contract check's);
  - *hidden*: contract and distribution on a fresh shape and stddev / rate;
  - *backward*: ``dout`` (noise) and ``dout * mask`` (``dout`` when the mask is ``None``); a
    gradient equal to a known mistake's (times or plus the noise; without, squared or dividing the
    mask) names it.
  Public parameters are stddev = 0.3 and rate = 0.3, hidden ones are drawn from [0.15, 0.8] and
  [0.1, 0.45]: away from stddev = 1 and rate = 0.5, where some mistakes give the right std.
* **Layer normalisation** is deterministic: compared with the reference, on the committed public
  fixtures (``autograder/fixtures/ex10.json``) and on fresh hidden inputs, forward (including a
  batch of one example, and an ε large enough to matter) and backward (with the cache of the
  student's own forward; a wrong ``out`` is reported as the forward's fault, naming the forward's
  known mistake, and a backward right on that wrong forward's cache keeps its points with a note).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..checks import CaseSpec, Check, Fail, Mistake, compare_check, labelled, mistake_catalog
from ..compare import as_float_array, compare
from ..messages import Text
from ..sandbox import Rng, StudentRaised, Unsupported
from ..stats import mean_bound, std_ratio_bounds, tail_bounds

MISTAKES = mistake_catalog(
    Mistake("noise_stddev_as_variance",
            "the noise's standard deviation is stddev² (the variance); noise ~ N(0, stddev²) has standard deviation "
            "stddev: noise = stddev * rng.standard_normal(a.shape).",
            "la desviación típica del ruido es stddev² (la varianza); noise ~ N(0, stddev²) tiene desviación típica "
            "stddev: noise = stddev * rng.standard_normal(a.shape).",
            targets=("noise_distribution", "noise_hidden")),
    Mistake("noise_at_test",
            "noise is added in test mode too; Gaussian noise is a training-time regulariser: with train=False the "
            "layer returns a unchanged.",
            "también se suma ruido en modo test; el ruido gaussiano es un regularizador de entrenamiento: con "
            "train=False la capa devuelve a sin cambios.",
            targets=("noise_test_mode",)),
    Mistake("noise_ignores_rng",
            "the noise is drawn from NumPy's global generator (np.random.normal…) instead of the rng argument.",
            "el ruido se genera con el generador global de NumPy (np.random.normal…) en lugar del argumento rng.",
            targets=("noise_seeded",)),
    Mistake("noise_test_zeros",
            "test mode returns an array of zeros as the noise; it should return None.",
            "el modo test devuelve un array de ceros como ruido; debería devolver None.",
            targets=("noise_test_mode",)),
    Mistake("noise_backward_times_noise",
            "the backward pass multiplies by the noise, as if it were a mask; the noise is added, so ∂out/∂a = 1 "
            "and the gradient is dout unchanged.",
            "el paso hacia atrás multiplica por el ruido, como si fuera una máscara; el ruido se suma, así que "
            "∂out/∂a = 1 y el gradiente es dout sin cambios.",
            targets=("noise_backward",)),
    Mistake("noise_sqrt_stddev",
            "the noise's standard deviation is √stddev, as if stddev were the variance; stddev is the standard "
            "deviation itself: noise = stddev * rng.standard_normal(a.shape).",
            "la desviación típica del ruido es √stddev, como si stddev fuera la varianza; stddev ya es la "
            "desviación típica: noise = stddev * rng.standard_normal(a.shape).",
            targets=("noise_distribution", "noise_hidden")),
    Mistake("noise_uniform",
            "the noise is uniform on [0, stddev) (rng.random), of mean stddev/2; it is normal with mean 0: "
            "noise = stddev * rng.standard_normal(a.shape) (or rng.normal(0, stddev, a.shape)).",
            "el ruido es uniforme en [0, stddev) (rng.random), de media stddev/2; es normal de media 0: "
            "noise = stddev * rng.standard_normal(a.shape) (o rng.normal(0, stddev, a.shape)).",
            targets=("noise_distribution", "noise_hidden")),
    Mistake("noise_multiplied",
            "the noise multiplies a (out = a * noise), as a dropout mask would; Gaussian noise is additive: "
            "out = a + noise.",
            "el ruido multiplica a a (out = a * noise), como lo haría una máscara de dropout; el ruido gaussiano es "
            "aditivo: out = a + noise.",
            targets=("noise_contract", "noise_hidden")),
    Mistake("noise_one_draw",
            "a single number is drawn (no size) and added to every entry; each entry gets its own draw: "
            "noise = stddev * rng.standard_normal(a.shape), shaped like a.",
            "se genera un solo número (sin size) y se suma a todas las entradas; cada entrada tiene su propio valor: "
            "noise = stddev * rng.standard_normal(a.shape), con la forma de a.",
            targets=("noise_contract", "noise_distribution", "noise_hidden")),
    Mistake("noise_per_example",
            "one value is drawn per example (shape (1, m)) and shared by all its units; each entry gets its own "
            "draw: noise = stddev * rng.standard_normal(a.shape), shaped like a.",
            "se genera un valor por ejemplo (forma (1, m)) que comparten todas sus unidades; cada entrada tiene su "
            "propio valor: noise = stddev * rng.standard_normal(a.shape), con la forma de a.",
            targets=("noise_contract", "noise_distribution", "noise_hidden")),
    Mistake("noise_train_inverted",
            "the train flag is read backwards: the noise is added in test mode and not in training; with "
            "train=True return (a + noise, noise), with train=False return (a, None).",
            "la bandera train está al revés: el ruido se suma en modo test y no en entrenamiento; con train=True "
            "devuelve (a + noise, noise), con train=False devuelve (a, None).",
            targets=("noise_contract", "noise_distribution", "noise_test_mode", "noise_seeded", "noise_hidden")),
    Mistake("noise_backward_adds_noise",
            "the backward pass adds the noise to the gradient; the noise is a constant added to a, so "
            "∂out/∂a = 1 and the gradient is dout unchanged.",
            "el paso hacia atrás suma el ruido al gradiente; el ruido es una constante que se suma a a, así que "
            "∂out/∂a = 1 y el gradiente es dout sin cambios.",
            targets=("noise_backward",)),
    Mistake("gdropout_std_rate",
            "the mask's standard deviation is rate; Gaussian dropout uses √(rate/(1 − rate)), the standard "
            "deviation of inverted dropout's mask with keep probability 1 − rate.",
            "la desviación típica de la máscara es rate; el dropout gaussiano usa √(rate/(1 − rate)), la "
            "desviación típica de la máscara del dropout invertido con probabilidad de conservar 1 − rate.",
            targets=("gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_variance_as_std",
            "rate/(1 − rate) is the mask's variance, used here as its standard deviation: take its square root.",
            "rate/(1 − rate) es la varianza de la máscara, y aquí se usa como su desviación típica: toma su raíz "
            "cuadrada.",
            targets=("gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_std_p_over_1mp_inverted",
            "the standard deviation is √((1 − rate)/rate): rate is the drop rate (as in Keras), not the keep "
            "probability; it is √(rate/(1 − rate)).",
            "la desviación típica es √((1 − rate)/rate): rate es la tasa de apagado (como en Keras), no la "
            "probabilidad de conservar; es √(rate/(1 − rate)).",
            targets=("gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_mean_zero",
            "the mask has mean 0; Gaussian dropout multiplies by noise of mean 1 (mask = 1 + σ z), so that "
            "E[out] = a.",
            "la máscara tiene media 0; el dropout gaussiano multiplica por un ruido de media 1 (mask = 1 + σ z), "
            "para que E[out] = a.",
            targets=("gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_at_test",
            "the mask is applied in test mode too; like every dropout, Gaussian dropout is the identity at test "
            "time (and needs no rescaling, since E[mask] = 1).",
            "también se aplica la máscara en modo test; como todo dropout, el dropout gaussiano es la identidad "
            "en test (y no necesita reescalado, porque E[mask] = 1).",
            targets=("gdropout_test_mode",)),
    Mistake("gdropout_ignores_rng",
            "the mask is drawn from NumPy's global generator (np.random.normal…) instead of the rng argument.",
            "la máscara se genera con el generador global de NumPy (np.random.normal…) en lugar del argumento "
            "rng.",
            targets=("gdropout_seeded",)),
    Mistake("gdropout_backward_no_mask",
            "the backward pass ignores the mask: out = a ⊙ mask, so the gradient is dout ⊙ mask.",
            "el paso hacia atrás ignora la máscara: out = a ⊙ mask, así que el gradiente es dout ⊙ mask.",
            targets=("gdropout_backward",)),
    Mistake("gdropout_std_sqrt_rate",
            "the mask's standard deviation is √rate (variance rate); Gaussian dropout's variance is "
            "rate/(1 − rate), so its standard deviation is √(rate/(1 − rate)).",
            "la desviación típica de la máscara es √rate (varianza rate); la varianza del dropout gaussiano es "
            "rate/(1 − rate), así que su desviación típica es √(rate/(1 − rate)).",
            targets=("gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_std_bernoulli",
            "the mask's standard deviation is √(rate(1 − rate)), that of a Bernoulli draw; Gaussian dropout "
            "matches inverted dropout's mask (divided by the keep probability 1 − rate): √(rate/(1 − rate)).",
            "la desviación típica de la máscara es √(rate(1 − rate)), la de una Bernoulli; el dropout gaussiano "
            "imita la máscara del dropout invertido (dividida entre la probabilidad de conservar 1 − rate): "
            "√(rate/(1 − rate)).",
            targets=("gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_mask_added",
            "the mask is added to a (out = a + mask); Gaussian dropout is multiplicative: out = a * mask.",
            "la máscara se suma a a (out = a + mask); el dropout gaussiano es multiplicativo: out = a * mask.",
            targets=("gdropout_contract", "gdropout_hidden")),
    Mistake("gdropout_one_draw",
            "a single number is drawn (no size) and multiplies every entry; each entry gets its own draw: "
            "mask = 1 + √(rate/(1 − rate)) * rng.standard_normal(a.shape), shaped like a.",
            "se genera un solo número (sin size) que multiplica todas las entradas; cada entrada tiene su propio "
            "valor: mask = 1 + √(rate/(1 − rate)) * rng.standard_normal(a.shape), con la forma de a.",
            targets=("gdropout_contract", "gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_per_example",
            "one value is drawn per example (shape (1, m)) and shared by all its units; each entry gets its own "
            "draw: mask = 1 + √(rate/(1 − rate)) * rng.standard_normal(a.shape), shaped like a.",
            "se genera un valor por ejemplo (forma (1, m)) que comparten todas sus unidades; cada entrada tiene su "
            "propio valor: mask = 1 + √(rate/(1 − rate)) * rng.standard_normal(a.shape), con la forma de a.",
            targets=("gdropout_contract", "gdropout_distribution", "gdropout_hidden")),
    Mistake("gdropout_train_inverted",
            "the train flag is read backwards: the mask is applied in test mode and not in training; with "
            "train=True return (a * mask, mask), with train=False return (a, None).",
            "la bandera train está al revés: la máscara se aplica en modo test y no en entrenamiento; con "
            "train=True devuelve (a * mask, mask), con train=False devuelve (a, None).",
            targets=("gdropout_contract", "gdropout_distribution", "gdropout_test_mode", "gdropout_seeded",
                     "gdropout_hidden")),
    Mistake("gdropout_test_ones",
            "test mode returns an array of ones as the mask; it should return None.",
            "el modo test devuelve un array de unos como máscara; debería devolver None.",
            targets=("gdropout_test_mode",)),
    Mistake("gdropout_backward_mask_squared",
            "the backward pass multiplies by the mask twice (dout ⊙ mask²); out = a ⊙ mask is linear in a, so "
            "the gradient is dout ⊙ mask.",
            "el paso hacia atrás multiplica dos veces por la máscara (dout ⊙ mask²); out = a ⊙ mask es lineal en "
            "a, así que el gradiente es dout ⊙ mask.",
            targets=("gdropout_backward",)),
    Mistake("gdropout_backward_divides",
            "the backward pass divides by the mask; out = a ⊙ mask, so ∂out/∂a = mask and the gradient is "
            "dout ⊙ mask.",
            "el paso hacia atrás divide entre la máscara; out = a ⊙ mask, así que ∂out/∂a = mask y el gradiente "
            "es dout ⊙ mask.",
            targets=("gdropout_backward",)),
    Mistake("layernorm_over_batch",
            "the statistics are taken over the batch (axis 1, one per unit): that is batch normalisation; layer "
            "normalisation normalises each example (column) over its units, axis 0.",
            "las estadísticas se calculan sobre el lote (eje 1, una por unidad): eso es normalización por lotes; "
            "la normalización por capa normaliza cada ejemplo (columna) sobre sus unidades, eje 0.",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_unbiased_var",
            "the variance is the unbiased one (ddof=1, divided by n − 1); layer normalisation uses the biased "
            "1/n variance, np.var's default.",
            "la varianza es la insesgada (ddof=1, dividida entre n − 1); la normalización por capa usa la varianza "
            "sesgada 1/n, la de np.var por defecto.",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_eps_outside_sqrt",
            "ε is added after the square root, √σ² + ε; it goes inside: √(σ² + ε).",
            "ε se suma después de la raíz, √σ² + ε; va dentro: √(σ² + ε).",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_no_eps",
            "ε is left out, (x − μ)/√σ²; use the eps argument inside the square root: (x − μ)/√(σ² + ε).",
            "falta ε, (x − μ)/√σ²; usa el argumento eps dentro de la raíz: (x − μ)/√(σ² + ε).",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_no_sqrt",
            "x − μ is divided by the variance σ² + ε; it is divided by the standard deviation √(σ² + ε).",
            "x − μ se divide entre la varianza σ² + ε; se divide entre la desviación típica √(σ² + ε).",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_no_centering",
            "the mean is not subtracted: x̂ = x/√(σ² + ε); it is x̂ = (x − μ)/√(σ² + ε), μ the mean of each "
            "column (axis 0).",
            "no se resta la media: x̂ = x/√(σ² + ε); es x̂ = (x − μ)/√(σ² + ε), con μ la media de cada columna "
            "(eje 0).",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_var_uncentered",
            "the variance is the mean of x² (the mean not subtracted); it is σ² = mean((x − μ)²) over axis 0, "
            "np.var(x, axis=0).",
            "la varianza es la media de x² (sin restar la media); es σ² = media((x − μ)²) sobre el eje 0, "
            "np.var(x, axis=0).",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_gamma_beta_swapped",
            "γ and β are swapped (out = β ⊙ x̂ + γ); γ scales and β shifts: out = γ ⊙ x̂ + β.",
            "γ y β están intercambiados (out = β ⊙ x̂ + γ); γ escala y β desplaza: out = γ ⊙ x̂ + β.",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_minus_beta",
            "β is subtracted (out = γ ⊙ x̂ − β); it is added: out = γ ⊙ x̂ + β.",
            "β se resta (out = γ ⊙ x̂ − β); se suma: out = γ ⊙ x̂ + β.",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_returns_xhat",
            "the normalised x̂ is returned as out: γ and β are never applied; out = γ ⊙ x̂ + β.",
            "se devuelve la x̂ normalizada como out: nunca se aplican γ ni β; out = γ ⊙ x̂ + β.",
            targets=("layernorm_forward", "layernorm_forward_hidden")),
    Mistake("layernorm_backward_no_mean_terms",
            "dx = dx̂/√(σ² + ε) only: μ and σ² depend on x too, which adds −Σ dx̂ and −x̂ Σ(dx̂ ⊙ x̂) (over the "
            "features of each column, divided by n).",
            "dx = dx̂/√(σ² + ε) solamente: μ y σ² también dependen de x, lo que añade −Σ dx̂ y −x̂ Σ(dx̂ ⊙ x̂) "
            "(sobre las características de cada columna, divididos entre n).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_backward_no_xhat_term",
            "dx lacks the term −x̂ Σ(dx̂ ⊙ x̂): the variance's dependence on x is forgotten.",
            "a dx le falta el término −x̂ Σ(dx̂ ⊙ x̂): se olvida que la varianza depende de x.",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_backward_over_batch",
            "dx is batch normalisation's formula (sums over the batch, axis 1, divided by m); layer "
            "normalisation's sums run over the features of each column (axis 0, divided by n).",
            "dx es la fórmula de la normalización por lotes (sumas sobre el lote, eje 1, divididas entre m); las "
            "sumas de la normalización por capa recorren las características de cada columna (eje 0, entre n).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_dgamma_no_xhat",
            "dgamma = Σ dout, like dbeta; out = γ ⊙ x̂ + β, so dgamma = Σ dout ⊙ x̂ (over the batch, axis 1).",
            "dgamma = Σ dout, igual que dbeta; out = γ ⊙ x̂ + β, así que dgamma = Σ dout ⊙ x̂ (sobre el lote, "
            "eje 1).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_dgamma_wrong_axis",
            "dgamma and dbeta are summed over the features (axis 0, shape (1, m)); γ and β are shared by every "
            "example, so they sum over the batch (axis 1, shape (n, 1)).",
            "dgamma y dbeta se suman sobre las características (eje 0, forma (1, m)); γ y β son comunes a todos "
            "los ejemplos, así que se suman sobre el lote (eje 1, forma (n, 1)).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_backward_no_1_over_n",
            "dx lacks the factor 1/n: dx = (1/(n√(σ² + ε))) (n·dx̂ − Σ dx̂ − x̂ Σ(dx̂ ⊙ x̂)), n the number of "
            "features (rows).",
            "a dx le falta el factor 1/n: dx = (1/(n√(σ² + ε))) (n·dx̂ − Σ dx̂ − x̂ Σ(dx̂ ⊙ x̂)), con n el número "
            "de características (filas).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_backward_no_gamma",
            "dx̂ = dout: the factor γ is forgotten; out = γ ⊙ x̂ + β, so dx̂ = dout ⊙ γ before going back "
            "through the normalisation.",
            "dx̂ = dout: se olvida el factor γ; out = γ ⊙ x̂ + β, así que dx̂ = dout ⊙ γ antes de retroceder a "
            "través de la normalización.",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_dbeta_wrong_axis",
            "dbeta is summed over the features (axis 0, shape (1, m)); β is shared by every example, so "
            "dbeta = Σ dout over the batch (axis 1, keepdims: shape (n, 1)).",
            "dbeta se suma sobre las características (eje 0, forma (1, m)); β es común a todos los ejemplos, así "
            "que dbeta = Σ dout sobre el lote (eje 1, keepdims: forma (n, 1)).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_param_grads_mean",
            "dgamma and dbeta are averaged over the batch; the loss already carries its 1/m in dout, so they are "
            "sums: dgamma = Σ dout ⊙ x̂, dbeta = Σ dout (axis 1).",
            "dgamma y dbeta se promedian sobre el lote; la pérdida ya lleva su 1/m en dout, así que son sumas: "
            "dgamma = Σ dout ⊙ x̂, dbeta = Σ dout (eje 1).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_grads_swapped",
            "dgamma and dbeta are returned in each other's place; the order is (dx, dgamma, dbeta).",
            "dgamma y dbeta se devuelven cada uno en el lugar del otro; el orden es (dx, dgamma, dbeta).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
    Mistake("layernorm_dgamma_with_x",
            "dgamma = Σ dout ⊙ x uses the input; γ multiplies the normalised x̂, so dgamma = Σ dout ⊙ x̂ (axis 1).",
            "dgamma = Σ dout ⊙ x usa la entrada; γ multiplica a la x̂ normalizada, así que dgamma = Σ dout ⊙ x̂ "
            "(eje 1).",
            targets=("layernorm_backward", "layernorm_backward_hidden")),
)


# ------------------------------------------------------------------ the two noise layers, declared
@dataclass(frozen=True)
class NoiseLayer:
    """A random layer ``forward(a, param, train=True, rng=None) -> (out, draws)`` and its backward.

    forward/backward: contract names; param: the argument's name ("stddev", "rate"); draws: what the
    second output is called ("noise", "mask"); combine: "+" (out = a + noise) or "*" (out = a * mask);
    mean(param), std(param): the draws' distribution. The mistakes each check names: wrong_stds /
    wrong_means: mistake id -> the std (mean) it gives instead; wrong_dists: mistake id -> (mean, std)
    of another distribution, named when both match; wrong_combine: the draws combined the other way
    (a * noise, a + mask); one_draw / per_example: draws of shape () / (1, m), broadcast over a;
    train_inverted: the train flag read backwards; at_test, test_array (an array of test_fill returned
    instead of None), ignores_rng: the test mode and seeded checks'; backward_mistakes: mistake id ->
    the gradient it gives, ``f(dout, draws)``; public: the public checks' parameter; hidden: the range
    the hidden check draws it from.
    """

    forward: str
    backward: str
    param: str
    draws: str
    combine: str
    mean: object
    std: object
    wrong_stds: dict
    wrong_means: dict
    wrong_dists: dict
    wrong_combine: str
    one_draw: str
    per_example: str
    train_inverted: str
    at_test: str
    test_array: str
    test_fill: float
    ignores_rng: str
    backward_mistakes: dict
    public: float
    hidden: tuple[float, float]


NOISE = NoiseLayer(
    forward="gaussian_noise_forward", backward="gaussian_noise_backward", param="stddev", draws="noise",
    combine="+", mean=lambda s: 0.0, std=lambda s: s,
    wrong_stds={"noise_stddev_as_variance": lambda s: s * s, "noise_sqrt_stddev": math.sqrt}, wrong_means={},
    wrong_dists={"noise_uniform": (lambda s: s / 2.0, lambda s: s / math.sqrt(12.0))},
    wrong_combine="noise_multiplied", one_draw="noise_one_draw", per_example="noise_per_example",
    train_inverted="noise_train_inverted", at_test="noise_at_test", test_array="noise_test_zeros", test_fill=0.0,
    ignores_rng="noise_ignores_rng",
    backward_mistakes={"noise_backward_times_noise": lambda dout, noise: dout * noise,
                       "noise_backward_adds_noise": lambda dout, noise: dout + noise},
    public=0.3, hidden=(0.15, 0.8))

GDROPOUT = NoiseLayer(
    forward="gaussian_dropout_forward", backward="gaussian_dropout_backward", param="rate", draws="mask",
    combine="*", mean=lambda r: 1.0, std=lambda r: math.sqrt(r / (1.0 - r)),
    wrong_stds={"gdropout_std_rate": lambda r: r, "gdropout_variance_as_std": lambda r: r / (1.0 - r),
                "gdropout_std_p_over_1mp_inverted": lambda r: math.sqrt((1.0 - r) / r),
                "gdropout_std_sqrt_rate": math.sqrt, "gdropout_std_bernoulli": lambda r: math.sqrt(r * (1.0 - r))},
    wrong_means={"gdropout_mean_zero": lambda r: 0.0}, wrong_dists={},
    wrong_combine="gdropout_mask_added", one_draw="gdropout_one_draw", per_example="gdropout_per_example",
    train_inverted="gdropout_train_inverted", at_test="gdropout_at_test", test_array="gdropout_test_ones",
    test_fill=1.0, ignores_rng="gdropout_ignores_rng",
    backward_mistakes={"gdropout_backward_no_mask": lambda dout, mask: dout,
                       "gdropout_backward_mask_squared": lambda dout, mask: dout * mask ** 2,
                       "gdropout_backward_divides": lambda dout, mask: dout / mask},
    public=0.3, hidden=(0.1, 0.45))

LAYERS = (NOISE, GDROPOUT)
PUBLIC_SHAPE = (200, 300)  # 60 000 draws


def _inputs(ctx, shape):
    a = ctx.rng.standard_normal(shape)
    a[np.abs(a) < 1e-3] = 1.0  # no unit near 0, so a * mask shows the mask
    return a


def _expected_out(layer: NoiseLayer, a, draws, combine: str = ""):
    return a + draws if (combine or layer.combine) == "+" else a * draws


def _pair(got) -> bool:
    return isinstance(got, (tuple, list)) and len(got) == 2


def _call(ctx, layer: NoiseLayer, a, param, seed, *, shaped=True):
    """``(out, draws)`` of a training call, each a finite array shaped like ``a``; else Fail, naming the mistake
    a misshapen output shows. With ``shaped=False`` the draws may have any shape (the seeded check compares
    them only with themselves)."""
    got = ctx.impl.call(layer.forward, a, param, train=True, rng=Rng(seed))
    if not _pair(got):
        raise Fail(ctx.text(Text("{fn} must return a pair (out, {draws}); it returned {got}.",
                                 "{fn} debe devolver un par (out, {draws}); devolvió {got}."),
                            fn=layer.forward, draws=layer.draws, got=type(got).__name__))
    values = []
    for label, value in zip(("out", layer.draws), got):
        arr, _ = as_float_array(value)
        if arr is None or arr.shape != a.shape and (shaped or label == "out"):
            message = ctx.text(Text("{label} should have the shape of a, {shape}; got {got}.",
                                    "{label} debería tener la forma de a, {shape}; se obtuvo {got}."),
                               label=label, shape=a.shape, got=None if arr is None else arr.shape)
            mistake = _shape_mistake(ctx, layer, a, param, seed, got) if label == layer.draws else ""
            raise Fail(message + ctx.mistake(mistake) if mistake else message)
        if not np.all(np.isfinite(arr)):
            raise Fail(ctx.text(Text("{label} contains NaN or inf values.", "{label} contiene valores NaN o inf."),
                                label=label))
        values.append(arr)
    return values


def _shape_mistake(ctx, layer: NoiseLayer, a, param, seed, got) -> str:
    """The known mistake whose draws a training call's misshapen draws are, or ""."""
    out, draws = got
    if draws is None:  # and out == a: the train flag read backwards if test mode draws
        if compare(out, a) is None and _test_mode_draws(ctx, layer, a, param, seed) is not None:
            return layer.train_inverted
        return ""
    arr, _ = as_float_array(draws)
    if arr is None or a.ndim != 2:
        return ""
    mistake = layer.one_draw if arr.size == 1 else layer.per_example if arr.shape == (1, a.shape[1]) else ""
    if mistake and compare(out, _expected_out(layer, a, arr)) is None:
        return mistake
    return ""


def _test_mode_draws(ctx, layer: NoiseLayer, a, param, seed):
    """The draws a test-mode call returns (None when it fails or returns no pair)."""
    try:
        got = ctx.impl.call(layer.forward, a, param, train=False, rng=Rng(seed))
    except StudentRaised:
        return None
    return got[1] if _pair(got) else None


def _trains_as_identity(ctx, layer: NoiseLayer, a, param, seed) -> bool:
    """Whether a training call returns (a, None): the train flag read backwards, seen from test mode."""
    try:
        got = ctx.impl.call(layer.forward, a, param, train=True, rng=Rng(seed))
    except StudentRaised:
        return False
    return _pair(got) and got[1] is None and compare(got[0], a) is None


def _assert_contract(ctx, layer: NoiseLayer, a, out, draws, param):
    mismatch = compare(out, _expected_out(layer, a, draws))
    if mismatch:
        where = f"out vs a {layer.combine} {layer.draws} ({layer.param} = {param:g})"
        message = mismatch.describe(where, ctx.lang)
        other = "*" if layer.combine == "+" else "+"
        if compare(out, _expected_out(layer, a, draws, other)) is None:
            message += ctx.mistake(layer.wrong_combine)
        raise Fail(message)


def _assert_distribution(ctx, layer: NoiseLayer, draws, param):
    """Mean, std and normal tails of the draws (see the module docstring)."""
    v = draws.ravel()
    n = v.size
    mu, sigma = layer.mean(param), layer.std(param)
    s, m = float(np.std(v, ddof=1)), float(np.mean(v))
    lo, hi = std_ratio_bounds(n)
    fields = dict(fn=layer.forward, draws=layer.draws, param=layer.param, value=param, n=n)
    std_ok = lo * sigma <= s <= hi * sigma
    bound = mean_bound(sigma, n)
    if std_ok and abs(m - mu) <= bound:
        _assert_tails(ctx, v, s, m, fields)
        return
    if not std_ok:
        message = ctx.text(Text(
            "{fn}: the sample std of the {n} values of {draws} is {s:.5g}; with {param} = {value:g} it should be "
            "{sigma:.5g}, within {lo:.5g} to {hi:.5g} (chi-square bound, false alarm < 1e-6).",
            "{fn}: la std muestral de los {n} valores de {draws} es {s:.5g}; con {param} = {value:g} debería ser "
            "{sigma:.5g}, entre {lo:.5g} y {hi:.5g} (cota chi-cuadrado, falsa alarma < 1e-6)."),
            s=s, sigma=sigma, lo=lo * sigma, hi=hi * sigma, **fields)
    else:
        message = ctx.text(Text(
            "{fn}: the mean of the {n} values of {draws} is {m:.4g}; it should be {mu:g} ± {bound:.3g} (5.3 σ/√N).",
            "{fn}: la media de los {n} valores de {draws} es {m:.4g}; debería ser {mu:g} ± {bound:.3g} (5.3 σ/√N)."),
            m=m, mu=mu, bound=bound, **fields)
    # another distribution (mean and std both its own), else a wrong std, else a wrong mean of the right std;
    # every known value the sample falls near is named (two wrong stds may coincide at a hidden parameter)
    named = [mistake for mistake, (wrong_mean, wrong_std) in layer.wrong_dists.items()
             if lo * wrong_std(param) <= s <= hi * wrong_std(param)
             and abs(m - wrong_mean(param)) <= mean_bound(wrong_std(param), n)]
    if not named and not std_ok:
        named = [mistake for mistake, wrong in layer.wrong_stds.items() if lo * wrong(param) <= s <= hi * wrong(param)]
    if not named and std_ok:
        named = [mistake for mistake, wrong in layer.wrong_means.items() if abs(m - wrong(param)) <= bound]
    for mistake in named:
        message += ctx.mistake(mistake)
    raise Fail(message)


def _assert_tails(ctx, v, s, m, fields):
    n = v.size
    z = np.abs(v - m) / s
    for c in (2.0, 3.0):
        expected, p, half = tail_bounds(n, c)
        count = int(np.count_nonzero(z > c))
        if abs(count - expected) > half:
            raise Fail(ctx.text(Text(
                "{fn}: {count} of the {n} values of {draws} lie beyond {c:g} standard deviations of their mean; "
                "normal draws put {p:.3%} there: {expected:.0f} ± {half:.0f}.",
                "{fn}: {count} de los {n} valores de {draws} están a más de {c:g} desviaciones típicas de su media; "
                "unos valores normales ponen ahí el {p:.3%}: {expected:.0f} ± {half:.0f}."),
                count=count, c=c, p=p, expected=expected, half=half, **fields))


def contract_check(layer: NoiseLayer):
    def run(ctx):
        a = _inputs(ctx, (30, 40))
        out, draws = _call(ctx, layer, a, layer.public, 1)
        _assert_contract(ctx, layer, a, out, draws, layer.public)
    return run


def distribution_check(layer: NoiseLayer):
    def run(ctx):
        a = _inputs(ctx, PUBLIC_SHAPE)
        _, draws = _call(ctx, layer, a, layer.public, 2)
        _assert_distribution(ctx, layer, draws, layer.public)
    return run


def test_mode_check(layer: NoiseLayer):
    def run(ctx):
        a = _inputs(ctx, (20, 30))
        got = ctx.impl.call(layer.forward, a, layer.public, train=False, rng=Rng(3))
        if not _pair(got):
            raise Fail(ctx.text(Text("{fn} must return a pair (out, {draws}) in test mode too.",
                                     "{fn} debe devolver un par (out, {draws}) también en modo test."),
                                fn=layer.forward, draws=layer.draws))
        out, draws = got
        mismatch = compare(out, a)
        if mismatch:
            inverted = _trains_as_identity(ctx, layer, a, layer.public, 3)
            raise Fail(mismatch.describe("out (test mode)", ctx.lang)
                       + ctx.mistake(layer.train_inverted if inverted else layer.at_test))
        if draws is not None:
            message = ctx.text(Text("in test mode {draws} should be None; got a {kind}.",
                                    "en modo test {draws} debería ser None; se obtuvo {kind}."),
                               draws=layer.draws, kind=type(draws).__name__)
            arr, _ = as_float_array(draws)
            if arr is not None and arr.size and np.all(arr == layer.test_fill):
                message += ctx.mistake(layer.test_array)
            raise Fail(message)
    return run


def seeded_check(layer: NoiseLayer):
    def run(ctx):
        a = _inputs(ctx, (20, 50))
        first = _call(ctx, layer, a, layer.public, 11, shaped=False)[1]
        again = _call(ctx, layer, a, layer.public, 11, shaped=False)[1]
        other = _call(ctx, layer, a, layer.public, 12, shaped=False)[1]
        if not np.array_equal(first, again):
            raise Fail(ctx.text(Text("two calls with generators seeded alike gave different {draws}.",
                                     "dos llamadas con generadores de la misma semilla dieron {draws} distintos."),
                                draws=layer.draws) + ctx.mistake(layer.ignores_rng))
        if np.array_equal(first, other):  # normal draws: equal by chance with probability 0
            raise Fail(ctx.text(Text("generators with different seeds gave the same {draws}: draw it from the rng "
                                     "argument.",
                                     "generadores con semillas distintas dieron el mismo {draws}: genéralo con el "
                                     "argumento rng."), draws=layer.draws))
    return run


def hidden_check(layer: NoiseLayer):
    """A fresh shape and parameter: contract and distribution at once."""
    def run(ctx):
        shape = tuple(int(s) for s in ctx.rng.integers(150, 250, size=2))
        param = float(np.round(ctx.rng.uniform(*layer.hidden), 3))
        a = _inputs(ctx, shape)
        out, draws = _call(ctx, layer, a, param, int(ctx.rng.integers(2**31)))
        _assert_contract(ctx, layer, a, out, draws, param)
        _assert_distribution(ctx, layer, draws, param)
    return run


def backward_check(layer: NoiseLayer):
    def run(ctx):
        shape = (6, 9)
        dout = ctx.rng.standard_normal(shape)
        draws = layer.mean(layer.public) + layer.std(layer.public) * ctx.rng.standard_normal(shape)
        expected = dout if layer.combine == "+" else dout * draws
        got = ctx.impl.call(layer.backward, dout, draws)
        mismatch = compare(got, expected)
        if mismatch:
            message = mismatch.describe(f"{layer.backward}(dout, {layer.draws})", ctx.lang)
            for mistake, wrong in layer.backward_mistakes.items():
                if compare(got, wrong(dout, draws)) is None:
                    message += ctx.mistake(mistake)
                    break
            raise Fail(message)
        mismatch = compare(ctx.impl.call(layer.backward, dout, None), dout)
        if mismatch:
            raise Fail(mismatch.describe(f"{layer.backward}(dout, None)", ctx.lang))
    return run


# ------------------------------------------------------------------ layer normalisation: cases
OUT_FORWARD = "out (layernorm_forward)"  # a label that reads the same in every language
GRAD_LABELS = ("dx", "dgamma", "dbeta")


def _ln_case(rng, n, m, eps, scale=1.0, label=""):
    x = scale * rng.standard_normal((n, m)) + rng.uniform(-2, 2, size=(n, 1))
    return {"x": x, "gamma": rng.uniform(0.5, 2.0, size=(n, 1)), "beta": rng.uniform(-1, 1, size=(n, 1)),
            "eps": eps, "dout": rng.standard_normal((n, m)),
            "_label": label or f"x {n}×{m}, eps = {eps:g}"}


def public_inputs(rng):
    """A plain batch, a batch of one example, and a small-variance batch where ε matters."""
    return [_ln_case(rng, 6, 5, 1e-3), _ln_case(rng, 8, 1, 1e-3, label="x 8×1 (one example), eps = 0.001"),
            _ln_case(rng, 4, 7, 0.05, scale=0.2)]


def hidden_inputs(rng):
    return [_ln_case(rng, int(rng.integers(3, 12)), int(rng.integers(2, 10)), float(rng.choice([1e-3, 1e-2, 0.1])),
                     scale=float(rng.uniform(0.2, 3.0)), label="hidden")
            for _ in range(2)]


def _forward(impl, inputs) -> tuple:
    """(out, cache) of the student's layernorm_forward; out says what came back when it is not a pair."""
    got = labelled(impl.call("layernorm_forward", inputs["x"], inputs["gamma"], inputs["beta"], inputs["eps"]),
                   ("out", "cache"), "layernorm_forward")
    return got["out"], got.get("cache")


def forward_procedure(impl, inputs):
    return {"out": _forward(impl, inputs)[0]}


def backward_procedure(impl, inputs):
    out, cache = _forward(impl, inputs)
    outputs = {OUT_FORWARD: out}
    if isinstance(out, Unsupported):
        return outputs
    outputs.update(labelled(impl.call("layernorm_backward", inputs["dout"], cache), GRAD_LABELS, "layernorm_backward"))
    return outputs


FORWARD_MISTAKES = ("layernorm_over_batch", "layernorm_unbiased_var", "layernorm_eps_outside_sqrt", "layernorm_no_eps",
                    "layernorm_no_sqrt", "layernorm_no_centering", "layernorm_var_uncentered",
                    "layernorm_gamma_beta_swapped", "layernorm_minus_beta", "layernorm_returns_xhat")
# the forward's mistakes too: a backward check blamed on a wrong forward names the forward's mistake
BACKWARD_MISTAKES = ("layernorm_backward_no_mean_terms", "layernorm_backward_no_xhat_term",
                     "layernorm_backward_over_batch", "layernorm_dgamma_no_xhat", "layernorm_dgamma_wrong_axis",
                     "layernorm_backward_no_1_over_n", "layernorm_backward_no_gamma", "layernorm_dbeta_wrong_axis",
                     "layernorm_param_grads_mean", "layernorm_grads_swapped", "layernorm_dgamma_with_x",
                     *FORWARD_MISTAKES)

FORWARD_SPEC = CaseSpec("ex10.layernorm_forward", public_inputs, forward_procedure, mistakes=FORWARD_MISTAKES)
BACKWARD_SPEC = CaseSpec("ex10.layernorm_backward", public_inputs, backward_procedure, mistakes=BACKWARD_MISTAKES)
FORWARD_HIDDEN_SPEC = CaseSpec("ex10.layernorm_forward_hidden", hidden_inputs, forward_procedure,
                               mistakes=FORWARD_MISTAKES)
BACKWARD_HIDDEN_SPEC = CaseSpec("ex10.layernorm_backward_hidden", hidden_inputs, backward_procedure,
                                mistakes=BACKWARD_MISTAKES)
SPECS = [FORWARD_SPEC, BACKWARD_SPEC]  # the hidden specs are never written to the fixtures

_LN_FORWARD = ("layernorm_forward",)
_LN_BACKWARD = ("layernorm_forward", "layernorm_backward")
_DEPENDS = {OUT_FORWARD: "layernorm_forward"}


# ------------------------------------------------------------------ the checks
def _noise_checks(layer: NoiseLayer, name_es: str) -> list[Check]:
    """The same six checks for each noise layer (ids prefixed "noise_" / "gdropout_")."""
    prefix = "noise" if layer is NOISE else "gdropout"
    fn, needs, back = layer.forward, (layer.forward,), (layer.backward,)
    op = f"a {layer.combine} {layer.draws}"
    return [
        Check(f"{fn}: returns (out, {layer.draws}) shaped like a, out == {op}", 0.5, contract_check(layer), needs,
              cell=fn, id=f"{prefix}_contract",
              title_es=f"{fn}: devuelve (out, {layer.draws}) con la forma de a, out == {op}"),
        Check(f"{fn}: {layer.draws} drawn from {name_es[0]}", 1, distribution_check(layer), needs, cell=fn,
              id=f"{prefix}_distribution", title_es=f"{fn}: {layer.draws} generado según {name_es[1]}"),
        Check(f"{fn}: test mode returns a and {layer.draws} None", 0.5, test_mode_check(layer), needs, cell=fn,
              id=f"{prefix}_test_mode", title_es=f"{fn}: el modo test devuelve a y {layer.draws} None"),
        Check(f"{fn}: same seed, same {layer.draws}; other seed, other {layer.draws}", 0.5, seeded_check(layer),
              needs, cell=fn, id=f"{prefix}_seeded",
              title_es=f"{fn}: misma semilla, mismo {layer.draws}; otra semilla, otro {layer.draws}"),
        Check(f"{fn} (hidden): fresh shape and {layer.param}", 0.5, hidden_check(layer), needs, hidden=True, cell=fn,
              id=f"{prefix}_hidden", title_es=f"{fn} (oculta): forma y {layer.param} nuevos"),
        Check(f"{layer.backward}: the gradient through the layer", 0.5, backward_check(layer), back,
              cell=layer.backward, id=f"{prefix}_backward",
              title_es=f"{layer.backward}: el gradiente a través de la capa"),
    ]


CHECKS = [
    *_noise_checks(NOISE, ("N(0, stddev²)", "N(0, stddev²)")),
    *_noise_checks(GDROPOUT, ("N(1, rate/(1 − rate))", "N(1, rate/(1 − rate))")),
    compare_check("layernorm_forward: fixtures (one example too; eps inside the square root)", FORWARD_SPEC, 1,
                  _LN_FORWARD, cell="layernorm_forward", id="layernorm_forward",
                  title_es="layernorm_forward: casos públicos (también un solo ejemplo; eps dentro de la raíz)"),
    compare_check("layernorm_forward (hidden): fresh inputs", FORWARD_HIDDEN_SPEC, 0.5, _LN_FORWARD, hidden=True,
                  cell="layernorm_forward", id="layernorm_forward_hidden",
                  title_es="layernorm_forward (oculta): entradas nuevas"),
    compare_check("layernorm_backward: fixtures (with the cache of your layernorm_forward)", BACKWARD_SPEC, 1,
                  _LN_BACKWARD, cell="layernorm_backward", depends=_DEPENDS, id="layernorm_backward",
                  title_es="layernorm_backward: casos públicos (con la caché de tu layernorm_forward)"),
    compare_check("layernorm_backward (hidden): fresh inputs", BACKWARD_HIDDEN_SPEC, 0.5, _LN_BACKWARD, hidden=True,
                  cell="layernorm_backward", depends=_DEPENDS, id="layernorm_backward_hidden",
                  title_es="layernorm_backward (oculta): entradas nuevas"),
]
