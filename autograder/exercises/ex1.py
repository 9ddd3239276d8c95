"""ex1 forward: activations, softmax, one dense layer, an MLP and the lecture's TwoLayerNet.

Everything here is deterministic, so most checks compare outputs with the
reference: public checks on the committed fixtures (``fixtures/ex1.json``),
hidden ones on fresh inputs drawn with the hidden seed. Tolerance is the
SPEC's: ``|got − exp| ≤ 1e-10·max|exp| + 1e-6·|exp|`` (float32 results at
rtol 1e-4). Inputs include zeros, negatives and large values: |z| up to 40
for sigmoid and tanh (their naive formulas are still exact there), up to 1000
for relu, leaky_relu and softmax (softmax must be stable there: SPEC).

The other activations (softplus, elu, selu, swish, gelu: ``docs/contract-activations.md``, which extends
the SPEC's ex1 row) are compared in the same way, on the same kind of inputs (|z| up to 40; elu with its
default alpha and a given one, below 1 in one case and above in the other; gelu in both forms), and
softplus and swish have a stability check like sigmoid's.

Numerical stability (SPEC: sigmoid and softmax finite and right up to |z| = 1e3) has its own
checks, public and hidden, on inputs with |z| from 700 to 1000 (past e^709, where exp overflows):
a NaN or inf where the reference is finite is said as such, with its index and the z there, and
the known mistake it matches is named (the stable sigmoid with its branch flipped, softmax's
maximum added instead of subtracted or not subtracted at all). The naive sigmoid
1/(1 + e^(−z)) is right there (e^1000 overflows to inf and 1/inf = 0): it keeps its points, and
the RuntimeWarning NumPy emits is reported in the feedback, not penalised (SPEC).

Property checks (not compared with the reference's outputs): softmax's
columns are probability distributions (shape kept, finite, non-negative,
columns sum to 1 within 1e-6, float32 within 1e-4; an unnormalised softmax is
named from its output on the check's own draws, in the fixtures); TwoLayerNet's constructor makes W1 (n_hidden,
n_in), b1 (n_hidden, 1), W2 (n_out, n_hidden), b2 (n_out, 1), the same
arrays for the same seed, and weights that are not all equal. The grader
then assigns W1, b1, W2, b2 itself before calling ``forward``.

When a layer's output is wrong only because the submission's own activation
function (or its own ``dense_forward``) is wrong, the message says so: the
check re-runs the layers with the student's functions (``z = W a + b`` on the
student's own activations, or the student's ``dense_forward``) and names the
first function that is wrong on the reference's input to its layer. The
reference's (z, a) of every layer come with the case (``"_trace"``, computed
with the reference when the case is made, in the public fixtures for public
cases); nothing here computes an activation.
"""
from __future__ import annotations

import numpy as np

from ..cases import reference_case
from ..checks import Case, CaseSpec, Check, Fail, Mistake, compare_check, finite_compare_check, judge, mistake_catalog
from ..compare import as_float_array, compare
from ..messages import Msg, Text, t
from ..net_checks import NetMistakes, construction_check
from ..sandbox import Handle, SandboxError

MISTAKES = mistake_catalog(
    Mistake("forward_sigmoid_sign", "the sign of the exponent is flipped: σ(z) = 1/(1 + e^(−z)), not 1/(1 + e^z).",
            "el signo del exponente está cambiado: σ(z) = 1/(1 + e^(−z)), no 1/(1 + e^z).",
            targets=("sigmoid", "sigmoid_stable", "sigmoid_hidden")),
    Mistake("forward_sigmoid_branch_flipped",
            "for large positive z, sigmoid is computed as e^z/(1 + e^z) (a stable sigmoid with its branch condition "
            "flipped, or that formula everywhere): e^z overflows above z ≈ 709 and inf/inf is NaN. Use "
            "1/(1 + e^(−z)) for z ≥ 0 and e^z/(1 + e^z) only for z < 0.",
            "para z grandes y positivos, sigmoid se calcula como e^z/(1 + e^z) (una sigmoide estable con la condición "
            "de sus ramas invertida, o esa fórmula en todas partes): e^z desborda por encima de z ≈ 709 e inf/inf es "
            "NaN. Usa 1/(1 + e^(−z)) para z ≥ 0 y e^z/(1 + e^z) solo para z < 0.",
            targets=("sigmoid_stable", "sigmoid_hidden")),
    Mistake("forward_sigmoid_precedence",
            "the denominator is missing its parentheses: 1/1 + e^(−z) is read as (1/1) + e^(−z) = 1 + e^(−z). "
            "Write 1/(1 + np.exp(-z)).",
            "al denominador le faltan los paréntesis: 1/1 + e^(−z) se lee como (1/1) + e^(−z) = 1 + e^(−z). "
            "Escribe 1/(1 + np.exp(-z)).",
            targets=("sigmoid", "sigmoid_stable", "sigmoid_hidden")),
    Mistake("forward_tanh_via_sigmoid", "tanh computed as 2σ(z) − 1; the identity is tanh(z) = 2σ(2z) − 1 (or use np.tanh).",
            "tanh calculada como 2σ(z) − 1; la identidad es tanh(z) = 2σ(2z) − 1 (o usa np.tanh).",
            targets=("tanh",)),
    Mistake("forward_tanh_negated", "the sign of tanh is flipped (the numerator's terms are swapped): "
            "tanh(z) = (e^z − e^(−z))/(e^z + e^(−z)), positive for z > 0 (or use np.tanh).",
            "el signo de tanh está cambiado (los términos del numerador están intercambiados): "
            "tanh(z) = (e^z − e^(−z))/(e^z + e^(−z)), positiva para z > 0 (o usa np.tanh).",
            targets=("tanh", "tanh_hidden")),
    Mistake("forward_tanh_inverted", "numerator and denominator are swapped: (e^z + e^(−z))/(e^z − e^(−z)) is "
            "coth(z), infinite at z = 0. tanh(z) = (e^z − e^(−z))/(e^z + e^(−z)) (or use np.tanh).",
            "el numerador y el denominador están intercambiados: (e^z + e^(−z))/(e^z − e^(−z)) es coth(z), "
            "infinita en z = 0. tanh(z) = (e^z − e^(−z))/(e^z + e^(−z)) (o usa np.tanh).",
            targets=("tanh", "tanh_hidden")),
    Mistake("forward_relu_mask", "relu returns the mask z > 0 (0 or 1, which is ReLU's derivative) instead of the "
            "values: relu(z) = max(0, z), e.g. np.maximum(z, 0) or z * (z > 0).",
            "relu devuelve la máscara z > 0 (0 o 1, que es la derivada de ReLU) en lugar de los valores: "
            "relu(z) = max(0, z), p. ej. np.maximum(z, 0) o z * (z > 0).",
            targets=("relu", "relu_hidden")),
    Mistake("forward_relu_max_reduction", "np.max(z, 0) is a reduction: the largest value of each column (axis 0), "
            "one number per example. The elementwise maximum with 0 is np.maximum(z, 0), of the shape of z.",
            "np.max(z, 0) es una reducción: el mayor valor de cada columna (eje 0), un número por ejemplo. El "
            "máximo elemento a elemento con 0 es np.maximum(z, 0), con la forma de z.",
            targets=("relu", "relu_hidden")),
    Mistake("forward_leaky_relu_fixed_alpha", "the slope for z ≤ 0 is fixed at 0.01: use the alpha argument.",
            "la pendiente para z ≤ 0 está fijada en 0.01: usa el argumento alpha.",
            targets=("leaky_relu",)),
    Mistake("forward_leaky_relu_alpha_positive", "alpha multiplies the positive side: leaky ReLU keeps z for z > 0 "
            "and uses the small slope alpha for z ≤ 0, np.where(z > 0, z, alpha * z).",
            "alpha multiplica la parte positiva: la leaky ReLU conserva z para z > 0 y usa la pendiente pequeña "
            "alpha para z ≤ 0, np.where(z > 0, z, alpha * z).",
            targets=("leaky_relu", "leaky_relu_hidden")),
    Mistake("forward_softmax_axis1", "softmax is taken over the rows (axis 1); each column is one example, so normalise over axis 0.",
            "softmax se calcula sobre las filas (eje 1); cada columna es un ejemplo, así que normaliza sobre el eje 0.",
            targets=("softmax",)),
    Mistake("forward_softmax_unstable", "softmax is not stabilised: exp(1000) overflows. Subtract each column's maximum before exponentiating.",
            "softmax no está estabilizada: exp(1000) desborda. Resta el máximo de cada columna antes de aplicar la exponencial.",
            targets=("softmax_stable",)),
    Mistake("forward_softmax_max_added", "each column's maximum is added instead of subtracted: exp(z + max) overflows "
            "at |z| ≈ 1000 (inf/inf is NaN). Subtract it: exp(z − max), so the largest exponent is 0.",
            "se suma el máximo de cada columna en lugar de restarlo: exp(z + max) desborda con |z| ≈ 1000 (inf/inf es "
            "NaN). Réstalo: exp(z − max), así el mayor exponente es 0.",
            targets=("softmax_stable",)),
    Mistake("forward_softmax_not_normalised", "the exponentials are not divided by their column sums, so columns do not sum to 1.",
            "las exponenciales no se dividen por la suma de su columna, así que las columnas no suman 1.",
            targets=("softmax",)),
    Mistake("forward_softmax_sum_all", "softmax divides by the sum of the whole matrix; divide by each column's sum (axis=0, keepdims=True).",
            "softmax divide por la suma de toda la matriz; divide por la suma de cada columna (axis=0, keepdims=True).",
            targets=("softmax",)),
    Mistake("forward_softmax_global_max", "the maximum of the whole matrix is subtracted, not each column's: a "
            "column whose scores all lie far below the global maximum (≈ −1000 next to a column ≈ +1000) "
            "underflows to 0/0 = NaN. Subtract each column's maximum: z − z.max(axis=0, keepdims=True).",
            "se resta el máximo de toda la matriz, no el de cada columna: una columna cuyos valores quedan todos muy "
            "por debajo del máximo global (≈ −1000 junto a una columna ≈ +1000) se anula y da 0/0 = NaN. Resta el "
            "máximo de cada columna: z − z.max(axis=0, keepdims=True).",
            targets=("softmax_stable",)),
    Mistake("forward_softmax_max_axis1", "each row's maximum (axis 1) is subtracted while each column is normalised: "
            "the subtracted value then differs within a column and does not cancel. Subtract each column's "
            "maximum: z − z.max(axis=0, keepdims=True).",
            "se resta el máximo de cada fila (eje 1) mientras se normaliza cada columna: así el valor restado cambia "
            "dentro de una columna y no se cancela. Resta el máximo de cada columna: z − z.max(axis=0, "
            "keepdims=True).",
            targets=("softmax", "softmax_hidden", "softmax_stable")),
    Mistake("forward_softplus_naive",
            "softplus is computed as log(1 + e^z) as written: e^z overflows past z ≈ 709 and the result is inf. "
            "Use the stable form max(z, 0) + log1p(e^(−|z|)) (or np.logaddexp(0, z)).",
            "softplus se calcula como log(1 + e^z) tal cual: e^z desborda por encima de z ≈ 709 y el resultado es "
            "inf. Usa la forma estable max(z, 0) + log1p(e^(−|z|)) (o np.logaddexp(0, z)).",
            targets=("softplus_stable", "softplus_hidden")),
    Mistake("forward_softplus_no_one",
            "the 1 inside the logarithm is missing: log(e^z) is just z. softplus(z) = log(1 + e^z), stably "
            "max(z, 0) + log1p(e^(−|z|)).",
            "falta el 1 dentro del logaritmo: log(e^z) es simplemente z. softplus(z) = log(1 + e^z), de forma "
            "estable max(z, 0) + log1p(e^(−|z|)).",
            targets=("softplus", "softplus_stable", "softplus_hidden")),
    Mistake("forward_softplus_sign",
            "the sign of the exponent is flipped: log(1 + e^(−z)) is softplus(−z). softplus(z) = log(1 + e^z), "
            "stably max(z, 0) + log1p(e^(−|z|)).",
            "el signo del exponente está cambiado: log(1 + e^(−z)) es softplus(−z). softplus(z) = log(1 + e^z), de "
            "forma estable max(z, 0) + log1p(e^(−|z|)).",
            targets=("softplus", "softplus_stable", "softplus_hidden")),
    Mistake("forward_softplus_stable_no_max",
            "the stable form lost its first term: log1p(e^(−|z|)) alone. softplus(z) = max(z, 0) + "
            "log1p(e^(−|z|)).",
            "a la forma estable le falta su primer término: log1p(e^(−|z|)) solo. softplus(z) = max(z, 0) + "
            "log1p(e^(−|z|)).",
            targets=("softplus", "softplus_stable", "softplus_hidden")),
    Mistake("forward_elu_alpha_positive",
            "alpha multiplies the positive side: ELU keeps z for z > 0 and uses alpha·(e^z − 1) for z ≤ 0, "
            "np.where(z > 0, z, alpha * (np.exp(z) - 1)).",
            "alpha multiplica la parte positiva: la ELU conserva z para z > 0 y usa alpha·(e^z − 1) para z ≤ 0, "
            "np.where(z > 0, z, alpha * (np.exp(z) - 1)).",
            targets=("elu", "elu_hidden")),
    Mistake("forward_elu_no_minus_one",
            "the −1 is missing on the negative side: alpha·e^z jumps from alpha to 0 at z = 0. ELU is "
            "alpha·(e^z − 1) for z ≤ 0 (0 at z = 0, −alpha as z → −∞) and z for z > 0.",
            "falta el −1 en la parte negativa: alpha·e^z salta de alpha a 0 en z = 0. La ELU es alpha·(e^z − 1) "
            "para z ≤ 0 (0 en z = 0, −alpha cuando z → −∞) y z para z > 0.",
            targets=("elu", "elu_hidden")),
    Mistake("forward_elu_fixed_alpha",
            "alpha is ignored (the constant 1 is used): ELU is alpha·(e^z − 1) for z ≤ 0 with the alpha argument "
            "(default 1.0).",
            "se ignora alpha (se usa la constante 1): la ELU es alpha·(e^z − 1) para z ≤ 0 con el argumento alpha "
            "(por defecto 1.0).",
            targets=("elu", "elu_hidden")),
    Mistake("forward_selu_constants_swapped",
            "λ and α are swapped: SELU is λ·elu(z, α), λz for z > 0 and λα(e^z − 1) for z ≤ 0, with "
            "α = 1.6732632423543772 and λ = 1.0507009873554805 (the scale).",
            "λ y α están intercambiadas: la SELU es λ·elu(z, α), λz para z > 0 y λα(e^z − 1) para z ≤ 0, con "
            "α = 1.6732632423543772 y λ = 1.0507009873554805 (la escala).",
            targets=("selu", "selu_hidden")),
    Mistake("forward_selu_lambda_positive_only",
            "λ multiplies the positive side only: SELU is λ·elu(z, α), so the negative side is λα(e^z − 1), "
            "not α(e^z − 1).",
            "λ multiplica solo la parte positiva: la SELU es λ·elu(z, α), así que la parte negativa es "
            "λα(e^z − 1), no α(e^z − 1).",
            targets=("selu", "selu_hidden")),
    Mistake("forward_selu_no_lambda",
            "the scale λ = 1.0507009873554805 is missing: SELU is λ·elu(z, α), not elu(z, α).",
            "falta la escala λ = 1.0507009873554805: la SELU es λ·elu(z, α), no elu(z, α).",
            targets=("selu", "selu_hidden")),
    Mistake("forward_swish_sigmoid_only",
            "swish returns σ(z) alone: the factor z is missing. swish(z) = z·σ(z).",
            "swish devuelve solo σ(z): falta el factor z. swish(z) = z·σ(z).",
            targets=("swish", "swish_stable", "swish_hidden")),
    Mistake("forward_swish_minus",
            "the sign inside σ is flipped: z·σ(−z). swish(z) = z·σ(z) = z/(1 + e^(−z)).",
            "el signo dentro de σ está cambiado: z·σ(−z). swish(z) = z·σ(z) = z/(1 + e^(−z)).",
            targets=("swish", "swish_stable", "swish_hidden")),
    Mistake("forward_swish_exp_ratio",
            "σ is computed as e^z/(1 + e^z): e^z overflows past z ≈ 709 and inf/inf is NaN. Write "
            "z/(1 + e^(−z)), or use a stable σ (1/(1 + e^(−z)) for z ≥ 0).",
            "σ se calcula como e^z/(1 + e^z): e^z desborda por encima de z ≈ 709 e inf/inf es NaN. Escribe "
            "z/(1 + e^(−z)), o usa una σ estable (1/(1 + e^(−z)) para z ≥ 0).",
            targets=("swish_stable", "swish_hidden")),
    Mistake("forward_gelu_tanh_when_exact",
            "gelu uses the tanh approximation also when approximate=False: the exact GELU is "
            "z·Φ(z) = ½z(1 + erf(z/√2)) (math.erf, vectorised); the tanh form only for approximate=True.",
            "gelu usa la aproximación con tanh también cuando approximate=False: la GELU exacta es "
            "z·Φ(z) = ½z(1 + erf(z/√2)) (math.erf, vectorizada); la forma con tanh solo para approximate=True.",
            targets=("gelu", "gelu_hidden")),
    Mistake("forward_gelu_exact_when_approximate",
            "the approximate argument is ignored: with approximate=True, GELU is the tanh form "
            "½z(1 + tanh(√(2/π)(z + 0.044715 z³))).",
            "se ignora el argumento approximate: con approximate=True, la GELU es la forma con tanh "
            "½z(1 + tanh(√(2/π)(z + 0.044715 z³))).",
            targets=("gelu", "gelu_hidden")),
    Mistake("forward_gelu_erf_no_sqrt2",
            "erf is taken of z, not of z/√2: Φ(z) = ½(1 + erf(z/√2)), so GELU(z) = ½z(1 + erf(z/√2)).",
            "se calcula erf de z, no de z/√2: Φ(z) = ½(1 + erf(z/√2)), así que GELU(z) = ½z(1 + erf(z/√2)).",
            targets=("gelu", "gelu_hidden")),
    Mistake("forward_gelu_no_half",
            "the factor ½ is missing: Φ(z) = ½(1 + erf(z/√2)), so GELU(z) = ½z(1 + erf(z/√2)).",
            "falta el factor ½: Φ(z) = ½(1 + erf(z/√2)), así que GELU(z) = ½z(1 + erf(z/√2)).",
            targets=("gelu", "gelu_hidden")),
    Mistake("forward_gelu_sigmoid_approximation",
            "z·σ(1.702 z) is an approximation: the exact GELU (approximate=False) is z·Φ(z) = ½z(1 + erf(z/√2)).",
            "z·σ(1.702 z) es una aproximación: la GELU exacta (approximate=False) es z·Φ(z) = ½z(1 + erf(z/√2)).",
            targets=("gelu", "gelu_hidden")),
    Mistake("forward_gelu_tanh_no_sqrt",
            "the tanh form uses 2/π instead of √(2/π): ½z(1 + tanh(√(2/π)(z + 0.044715 z³))).",
            "la forma con tanh usa 2/π en lugar de √(2/π): ½z(1 + tanh(√(2/π)(z + 0.044715 z³))).",
            targets=("gelu", "gelu_hidden")),
    Mistake("forward_dense_transposed", "W is transposed: z = W a_prev + b with W of shape (n_k, n_(k−1)), not Wᵀ a_prev.",
            "W está traspuesta: z = W a_prev + b con W de forma (n_k, n_(k−1)), no Wᵀ a_prev.",
            targets=("dense_forward",)),
    Mistake("forward_dense_no_bias", "the bias is not added: z = W a_prev + b.",
            "no se suma el sesgo: z = W a_prev + b.",
            targets=("dense_forward",)),
    Mistake("forward_dense_swapped", "the pair is returned in the wrong order: dense_forward returns (z, a), pre-activation first.",
            "el par se devuelve en el orden equivocado: dense_forward devuelve (z, a), primero la preactivación.",
            targets=("dense_forward",)),
    Mistake("forward_dense_no_activation", "the activation is never applied: dense_forward returns (z, z); "
            "a = f(z) with f the activation named by the argument (a = z only for \"linear\").",
            "nunca se aplica la activación: dense_forward devuelve (z, z); a = f(z) con f la activación que nombra el "
            "argumento (a = z solo para \"linear\").",
            targets=("dense_forward", "dense_forward_hidden")),
    Mistake("forward_dense_activates_input", "the activation is applied to the input too: z = W f(a_prev) + b. "
            "a_prev is already the previous layer's activation, so z = W a_prev + b and a = f(z).",
            "la activación se aplica también a la entrada: z = W f(a_prev) + b. a_prev ya es la activación de la "
            "capa anterior, así que z = W a_prev + b y a = f(z).",
            targets=("dense_forward", "dense_forward_hidden")),
    Mistake("forward_mlp_last_linear", "the last layer's activation is not applied: y = f_L(z(L)), with f_L = activations[-1].",
            "no se aplica la activación de la última capa: y = f_L(z(L)), con f_L = activations[-1].",
            targets=("mlp_forward",)),
    Mistake("forward_mlp_first_activation", "the first activation is used for every layer: layer k uses activations[k].",
            "se usa la primera activación en todas las capas: la capa k usa activations[k].",
            targets=("mlp_forward",)),
    Mistake("forward_mlp_skips_last_layer", "the loop stops one layer early (range(len(params) − 1)): y is the "
            "activation of the last hidden layer. Go over every layer: for (W, b), f in zip(params, activations).",
            "el bucle se detiene una capa antes (range(len(params) − 1)): y es la activación de la última capa "
            "oculta. Recorre todas las capas: for (W, b), f in zip(params, activations).",
            targets=("mlp_forward", "mlp_forward_hidden")),
    Mistake("forward_tln_sigmoid_output", "the output layer has a sigmoid; in TwoLayerNet the output is linear: y = z2.",
            "la capa de salida tiene una sigmoide; en TwoLayerNet la salida es lineal: y = z2.",
            targets=("two_layer_net_forward",)),
    Mistake("forward_tln_tanh_hidden", "the hidden layer uses tanh; TwoLayerNet's hidden layer is a sigmoid: a1 = σ(z1).",
            "la capa oculta usa tanh; la capa oculta de TwoLayerNet es una sigmoide: a1 = σ(z1).",
            targets=("two_layer_net_forward",)),
    Mistake("forward_tln_no_hidden_activation", "the hidden layer has no activation: a1 = z1. TwoLayerNet's hidden "
            "layer is a sigmoid, a1 = σ(z1), and z2 = W2 a1 + b2.",
            "la capa oculta no tiene activación: a1 = z1. La capa oculta de TwoLayerNet es una sigmoide, a1 = σ(z1), "
            "y z2 = W2 a1 + b2.",
            targets=("two_layer_net_forward", "two_layer_net_forward_hidden")),
    Mistake("forward_tln_init_missing", "the constructor does not set the attributes W1, b1, W2, b2 (local "
            "variables W1 = … disappear when __init__ returns): assign self.W1 = …, self.b1 = …, self.W2 = …, "
            "self.b2 = ….",
            "el constructor no define los atributos W1, b1, W2, b2 (las variables locales W1 = … desaparecen al "
            "terminar __init__): asigna self.W1 = …, self.b1 = …, self.W2 = …, self.b2 = ….",
            targets=("two_layer_net_init",)),
    Mistake("forward_tln_weights_transposed", "the weights are transposed: W(k) has shape (n_k, n_(k−1)), so W1 is "
            "(n_hidden, n_in) and W2 is (n_out, n_hidden), and z = W x + b.",
            "los pesos están traspuestos: W(k) tiene forma (n_k, n_(k−1)), así que W1 es (n_hidden, n_in) y W2 es "
            "(n_out, n_hidden), y z = W x + b.",
            targets=("two_layer_net_init",)),
    Mistake("forward_tln_bias_shape", "the biases are not column vectors (a row of shape (1, n), for instance): b1 "
            "has shape (n_hidden, 1) and b2 (n_out, 1), one entry per unit, e.g. np.zeros((n_hidden, 1)).",
            "los sesgos no son vectores columna (una fila de forma (1, n), por ejemplo): b1 tiene forma "
            "(n_hidden, 1) y b2 (n_out, 1), una entrada por unidad, p. ej. np.zeros((n_hidden, 1)).",
            targets=("two_layer_net_init",)),
    Mistake("forward_tln_bias_1d", "the biases are 1-D arrays; make them column vectors of shape (n, 1) so that W x + b broadcasts over the m columns.",
            "los sesgos son arrays 1-D; hazlos vectores columna de forma (n, 1) para que W x + b se difunda sobre las m columnas.",
            targets=("two_layer_net_init",)),
    Mistake("forward_tln_zero_weights", "all weights start at the same value (e.g. zeros): every hidden unit then computes the same thing. Draw W1 and W2 at random.",
            "todos los pesos empiezan con el mismo valor (p. ej. ceros): así todas las unidades ocultas calculan lo mismo. Genera W1 y W2 al azar.",
            targets=("two_layer_net_init",)),
    Mistake("forward_tln_unseeded", "the seed is not used: draw the weights from np.random.default_rng(seed), so the same seed gives the same network.",
            "no se usa la semilla: genera los pesos con np.random.default_rng(seed), para que la misma semilla dé la misma red.",
            targets=("two_layer_net_init",)),
)

SOFTMAX_MISTAKES = ("forward_softmax_axis1", "forward_softmax_not_normalised", "forward_softmax_sum_all",
                    "forward_softmax_unstable", "forward_softmax_max_axis1")
SIGMOID_MISTAKES = ("forward_sigmoid_sign", "forward_sigmoid_precedence")

_RETURN = Text("{call} must return the tuple {expected}; it returned {got}.",
               "{call} debe devolver la tupla {expected}; devolvió {got}.")
_RETURN_SEQ = Text("a {kind} of {n} element(s)", "un {kind} de {n} elemento(s)")
_RETURN_ONE = Text("a single value of type {kind}", "un único valor de tipo {kind}")


class WrongReturn(Exception):
    """The submission returned something other than the tuple the contract names."""

    def __init__(self, call: str, expected: str, got):
        self.call, self.expected, self.got = call, expected, got
        super().__init__(f"{call} returned {type(got).__name__}")

    def describe(self, lang: str) -> Msg | str:
        got = self.got
        if isinstance(got, (tuple, list)):
            what = _RETURN_SEQ(lang, kind=type(got).__name__, n=len(got))
        else:
            kind = got.type_name if isinstance(got, Handle) else type(got).__name__
            what = _RETURN_ONE(lang, kind=kind)
        return _RETURN(lang, call=self.call, expected=self.expected, got=what)


def _unpack(got, n: int, call: str, expected: str):
    if isinstance(got, (tuple, list)) and len(got) == n:
        return got
    raise WrongReturn(call, expected, got)


# ------------------------------------------------------------------ inputs
def _with_specials(rng, shape, big):
    """Normal values with exact zeros, negatives and ±big in the first column(s)."""
    z = rng.normal(0.0, 2.0, shape)
    z[0, 0] = 0.0
    z[-1, -1] = 0.0
    z[0, -1] = big
    z[-1, 0] = -big
    if shape[0] > 2:
        z[1, 0] = -0.5 * big
    return z


def _activation_inputs(rng, big):
    n, m = (int(v) for v in rng.integers(3, 7, size=2))
    z = _with_specials(rng, (n, m + 2), big)
    col = rng.normal(0.0, 3.0, (int(rng.integers(2, 5)), 1))
    col[0, 0] = 0.0
    return [
        {"z": z, "_label": f"z of shape {z.shape} with zeros, negatives and |z| up to {big:g}"},
        {"z": col, "_label": f"z of shape {col.shape}: one example"},
    ]


def inputs_sigmoid_tanh(rng):
    return _activation_inputs(rng, 40.0)


def inputs_relu(rng):
    return _activation_inputs(rng, 1000.0)


def inputs_leaky_relu(rng):
    cases = _activation_inputs(rng, 1000.0)
    for case in cases:
        case["alpha"] = float(np.round(rng.uniform(0.05, 0.4), 2))
    return cases


def inputs_sigmoid_large(rng):
    """|z| from 700 to 1000 (e^z overflows past z = 709.78), and moderate values.

    No z lies in (−746, −708), where σ(z) is subnormal (below 2.2e-308): a wrong value there would make the
    relative error in the message overflow."""
    m = int(rng.integers(2, 5))
    z = np.empty((4, m + 3))
    z[:, 0] = (1000.0, -1000.0, 800.0, -800.0)
    z[:, 1] = (rng.uniform(710.0, 760.0), -rng.uniform(700.0, 708.0),
               rng.uniform(710.0, 760.0), -rng.uniform(750.0, 800.0))
    z[:, 2] = (0.0, 40.0, -40.0, rng.normal(0.0, 3.0))
    z[:, 3:] = rng.uniform(-1000.0, 1000.0, (4, m))
    z[(z > -746.0) & (z < -708.0)] -= 40.0
    col = rng.uniform(710.0, 1000.0, (3, 1)) * np.array([[1.0], [-1.0], [1.0]])
    return [
        {"z": z, "_label": f"z of shape {z.shape} with |z| up to 1000"},
        {"z": col, "_label": f"z of shape {col.shape}: one example, |z| above 710"},
    ]


def inputs_elu(rng):
    """The activation inputs with an alpha other than 1 (below 1 in the first case, above in the second), so
    alpha's place and use show."""
    cases = _activation_inputs(rng, 40.0)
    for case, (low, high) in zip(cases, ((0.2, 0.8), (1.2, 2.0))):
        case["alpha"] = float(np.round(rng.uniform(low, high), 2))
    return cases


def inputs_softmax(rng):
    n, m = int(rng.integers(3, 6)), int(rng.integers(5, 9))
    z = rng.normal(0.0, 3.0, (n, m))
    z[:, 0] = 0.0  # a column of equal scores: uniform probabilities
    col = rng.normal(0.0, 2.0, (int(rng.integers(2, 6)), 1))
    return [
        {"z": z, "_label": f"z of shape {z.shape}, one column all zeros"},
        {"z": col, "_label": f"z of shape {col.shape}: one example"},
    ]


def inputs_softmax_large(rng):
    n = 4
    z = np.empty((n, 5))
    z[:, 0] = 1000.0 - rng.uniform(0.0, 4.0, n)    # all scores near +1000
    z[:, 1] = -1000.0 + rng.uniform(0.0, 4.0, n)   # all scores near −1000
    z[:, 2] = rng.uniform(-1000.0, 1000.0, n)
    z[:, 3] = [1000.0, -1000.0, 0.0, 999.0]
    z[:, 4] = rng.normal(0.0, 1.0, n)
    z[np.argmax(z[:, 0]), 0] = 1000.0
    return [{"z": z, "_label": "z of shape (4, 5) with |z| up to 1000"}]


def _layer(rng, n_out, n_in):
    W = rng.normal(0.0, 1.0, (n_out, n_in)) / np.sqrt(n_in) * 1.5
    b = rng.normal(0.0, 0.5, (n_out, 1))
    return W, b


def inputs_dense(rng):
    """One case per activation; square layers first, so a transposed W still runs and is recognised."""
    cases = []
    plan = [("sigmoid", "square"), ("relu", "square"), ("linear", "wide"), ("tanh", "tall"), ("softmax", "wide"),
            ("relu", "tall"), ("sigmoid", "single")]
    for activation, form in plan:
        n_in = int(rng.integers(3, 6))
        n_out = {"square": n_in, "wide": n_in - 1, "tall": n_in + 2, "single": n_in + 1}[form]
        m = 1 if form == "single" else int(rng.integers(3, 7))
        W, b = _layer(rng, n_out, n_in)
        a_prev = rng.normal(0.0, 1.5, (n_in, m))
        cases.append({"a_prev": a_prev, "W": W, "b": b, "activation": activation,
                      "_label": f"activation {activation!r}, W {W.shape}, m = {m}"})
    return cases


def inputs_mlp(rng):
    plans = [
        ([3, 4, 4, 3], ["tanh", "sigmoid", "softmax"], int(rng.integers(3, 7))),
        ([4, 5, 2], ["relu", "linear"], 1),
        ([2, 3, 1], ["sigmoid", "sigmoid"], int(rng.integers(3, 7))),
        ([3, 6, 4, 2], ["relu", "tanh", "relu"], int(rng.integers(3, 7))),
    ]
    cases = []
    for sizes, activations, m in plans:
        params = [_layer(rng, n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        x = rng.normal(0.0, 1.5, (sizes[0], m))
        arrows = " → ".join(str(s) for s in sizes)
        cases.append({"x": x, "params": params, "activations": activations,
                      "_label": f"layers {arrows}, activations {activations}, m = {m}"})
    return cases


def inputs_two_layer_net(rng):
    cases = []
    for n_in, n_hidden, n_out, m in ((3, 4, 2, int(rng.integers(3, 7))), (2, 5, 1, 1), (4, 3, 3, 5)):
        W1, b1 = _layer(rng, n_hidden, n_in)
        W2, b2 = _layer(rng, n_out, n_hidden)
        cases.append({"x": rng.normal(0.0, 1.5, (n_in, m)), "W1": W1, "b1": b1, "W2": W2, "b2": b2,
                      "_label": f"n_in = {n_in}, n_hidden = {n_hidden}, n_out = {n_out}, m = {m}"})
    return cases


# ------------------------------------------------------------------ procedures (run against any implementation)
def run_sigmoid(impl, inputs):
    return {"sigmoid(z)": impl.call("sigmoid", inputs["z"])}


def run_tanh(impl, inputs):
    return {"tanh(z)": impl.call("tanh", inputs["z"])}


def run_relu(impl, inputs):
    return {"relu(z)": impl.call("relu", inputs["z"])}


def run_leaky_relu(impl, inputs):
    alpha = inputs["alpha"]
    return {"leaky_relu(z)": impl.call("leaky_relu", inputs["z"]),
            f"leaky_relu(z, {alpha:g})": impl.call("leaky_relu", inputs["z"], alpha)}


def run_softplus(impl, inputs):
    return {"softplus(z)": impl.call("softplus", inputs["z"])}


def run_elu(impl, inputs):
    alpha = inputs["alpha"]
    return {"elu(z)": impl.call("elu", inputs["z"]),
            f"elu(z, {alpha:g})": impl.call("elu", inputs["z"], alpha)}


def run_selu(impl, inputs):
    return {"selu(z)": impl.call("selu", inputs["z"])}


def run_swish(impl, inputs):
    return {"swish(z)": impl.call("swish", inputs["z"])}


def run_gelu(impl, inputs):
    return {"gelu(z)": impl.call("gelu", inputs["z"]),
            "gelu(z, approximate=True)": impl.call("gelu", inputs["z"], approximate=True)}


def run_softmax(impl, inputs):
    return {"softmax(z)": impl.call("softmax", inputs["z"])}


def run_dense(impl, inputs):
    got = impl.call("dense_forward", inputs["a_prev"], inputs["W"], inputs["b"], inputs["activation"])
    z, a = _unpack(got, 2, "dense_forward", "(z, a)")
    return {"z": z, "a": a}


def run_mlp(impl, inputs):
    got = impl.call("mlp_forward", inputs["x"], inputs["params"], inputs["activations"])
    y, _caches = _unpack(got, 2, "mlp_forward", "(y, caches)")
    return {"y": y}


def run_two_layer_net(impl, inputs):
    n_hidden, n_in = inputs["W1"].shape
    n_out = inputs["W2"].shape[0]
    net = impl.new("TwoLayerNet", n_in, n_hidden, n_out, 0)
    for name in ("W1", "b1", "W2", "b2"):
        impl.setattr(net, name, inputs[name])
    got = impl.method(net, "forward", inputs["x"])
    z1, a1, z2, y = _unpack(got, 4, "TwoLayerNet.forward", "(z1, a1, z2, y)")
    return {"z1": z1, "a1": a1, "z2": z2, "y": y}


def _dense_layers(inputs):
    return inputs["a_prev"], [(inputs["W"], inputs["b"], inputs["activation"])]


def _mlp_layers(inputs):
    return inputs["x"], [(W, b, act) for (W, b), act in zip(inputs["params"], inputs["activations"])]


def _tln_layers(inputs):
    return inputs["x"], [(inputs["W1"], inputs["b1"], "sigmoid"), (inputs["W2"], inputs["b2"], "linear")]


def _traced(make_inputs, layers_of):
    """make_inputs, each case with "_trace": the reference's (z, a) per layer, for the blame below."""

    def make(rng):
        from ..reference_cases import layer_trace  # where cases are made: live cases, `grader fixtures`

        cases = make_inputs(rng)
        for case in cases:
            case["_trace"] = layer_trace(*layers_of(case))
        return cases

    return make


SIGMOID = CaseSpec("ex1.sigmoid", inputs_sigmoid_tanh, run_sigmoid, mistakes=SIGMOID_MISTAKES)
TANH = CaseSpec("ex1.tanh", inputs_sigmoid_tanh, run_tanh,
                mistakes=("forward_tanh_via_sigmoid", "forward_tanh_negated", "forward_tanh_inverted"))
RELU = CaseSpec("ex1.relu", inputs_relu, run_relu, mistakes=("forward_relu_mask", "forward_relu_max_reduction"))
LEAKY_RELU = CaseSpec("ex1.leaky_relu", inputs_leaky_relu, run_leaky_relu,
                      mistakes=("forward_leaky_relu_fixed_alpha", "forward_leaky_relu_alpha_positive"))
SOFTMAX = CaseSpec("ex1.softmax", inputs_softmax, run_softmax, mistakes=SOFTMAX_MISTAKES)
SOFTMAX_LARGE = CaseSpec("ex1.softmax_large", inputs_softmax_large, run_softmax,
                         mistakes=SOFTMAX_MISTAKES + ("forward_softmax_max_added", "forward_softmax_global_max"))
SIGMOID_LARGE = CaseSpec("ex1.sigmoid_large", inputs_sigmoid_large, run_sigmoid,
                         mistakes=SIGMOID_MISTAKES + ("forward_sigmoid_branch_flipped",))
DENSE = CaseSpec("ex1.dense_forward", _traced(inputs_dense, _dense_layers), run_dense,
                 mistakes=("forward_dense_transposed", "forward_dense_no_bias", "forward_dense_swapped",
                           "forward_dense_no_activation", "forward_dense_activates_input"))
MLP = CaseSpec("ex1.mlp_forward", _traced(inputs_mlp, _mlp_layers), run_mlp,
               mistakes=("forward_mlp_last_linear", "forward_mlp_first_activation", "forward_mlp_skips_last_layer"))
TWO_LAYER_NET = CaseSpec("ex1.two_layer_net", _traced(inputs_two_layer_net, _tln_layers), run_two_layer_net,
                         mistakes=("forward_tln_sigmoid_output", "forward_tln_tanh_hidden",
                                   "forward_tln_no_hidden_activation"))

SOFTPLUS_MISTAKES = ("forward_softplus_no_one", "forward_softplus_sign", "forward_softplus_stable_no_max")
SWISH_MISTAKES = ("forward_swish_sigmoid_only", "forward_swish_minus")
SOFTPLUS = CaseSpec("ex1.softplus", inputs_sigmoid_tanh, run_softplus, mistakes=SOFTPLUS_MISTAKES)
SOFTPLUS_LARGE = CaseSpec("ex1.softplus_large", inputs_sigmoid_large, run_softplus,
                          mistakes=SOFTPLUS_MISTAKES + ("forward_softplus_naive",))
ELU = CaseSpec("ex1.elu", inputs_elu, run_elu,
               mistakes=("forward_elu_alpha_positive", "forward_elu_no_minus_one", "forward_elu_fixed_alpha"))
SELU = CaseSpec("ex1.selu", inputs_sigmoid_tanh, run_selu,
                mistakes=("forward_selu_constants_swapped", "forward_selu_lambda_positive_only",
                          "forward_selu_no_lambda"))
SWISH = CaseSpec("ex1.swish", inputs_sigmoid_tanh, run_swish, mistakes=SWISH_MISTAKES)
SWISH_LARGE = CaseSpec("ex1.swish_large", inputs_sigmoid_large, run_swish,
                       mistakes=SWISH_MISTAKES + ("forward_swish_exp_ratio",))
GELU = CaseSpec("ex1.gelu", inputs_sigmoid_tanh, run_gelu,
                mistakes=("forward_gelu_tanh_when_exact", "forward_gelu_exact_when_approximate",
                          "forward_gelu_erf_no_sqrt2", "forward_gelu_no_half", "forward_gelu_sigmoid_approximation",
                          "forward_gelu_tanh_no_sqrt"))

CHECK_SOFTMAX_INVARIANTS = "softmax: columns are probability distributions"
#: the outputs of an unnormalised softmax on that check's own draws, to name the mistake
SOFTMAX_INVARIANTS = CaseSpec("ex1.softmax_invariants", None, run_softmax, mistakes=("forward_softmax_not_normalised",),
                              asked_by=CHECK_SOFTMAX_INVARIANTS)

SPECS = [SIGMOID, TANH, RELU, LEAKY_RELU, SOFTMAX, SOFTMAX_LARGE, DENSE, MLP, TWO_LAYER_NET, SOFTMAX_INVARIANTS,
         SIGMOID_LARGE, SOFTPLUS, SOFTPLUS_LARGE, ELU, SELU, SWISH, SWISH_LARGE, GELU]


# ------------------------------------------------------------------ "your other function is at fault"
LOW_PRECISION = {"float32", "float16"}


def _own_layer(ctx, via, a, W, b, act):
    """One layer with the submission's own pieces: (z, a, dtypes it returned), or None when a piece is
    missing or does not return arrays (z of the layer's shape; ``a`` may have another shape, which
    :func:`_own_layers` allows in the last layer only).

    via "activations": the statement's z = W a + b on the submission's own a (what depends on the
    submission cannot come from a fixture), then its activation function of z; via "dense_forward":
    its dense_forward."""
    shape = (W.shape[0], a.shape[1])
    if via == "dense_forward":
        if "dense_forward" not in ctx.impl.names:
            return None
        got = ctx.impl.call("dense_forward", a, W, b, act)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return None
        (z_own, z_dtype), (a_own, a_dtype) = as_float_array(got[0]), as_float_array(got[1])
        dtypes = {z_dtype, a_dtype}
    else:
        z_own = W @ a + b
        if act == "linear":
            return z_own, z_own, set()
        if act not in ctx.impl.names:
            return None
        a_own, a_dtype = as_float_array(ctx.impl.call(act, z_own))
        dtypes = {a_dtype}
    if z_own is None or a_own is None or z_own.shape != shape:
        return None
    return z_own, a_own, dtypes


def _own_layers(ctx, x, layers, trace, via):
    """Run layers [(W, b, activation)] with the submission's own pieces (:func:`_own_layer`), from x.

    Returns ([(z, a)], culprit, low): culprit names the first of its functions that is wrong on the
    reference's own input to its layer (``trace``: the reference's (z, a) per layer), low the first whose
    output is right at float32 precision only (its float32 rounding then reaches the layers after it);
    ([], None, None) when a piece is missing or fails.
    """
    a = np.asarray(x, dtype=np.float64)
    reference_inputs = [a] + [a_ref for _, a_ref in trace[:-1]]
    outs, culprit, low = [], None, None
    for k, ((W, b, act), (z_ref, a_ref), a_in) in enumerate(zip(layers, trace, reference_inputs)):
        own = _own_layer(ctx, via, a, W, b, act)
        if own is None:
            return [], None, None
        z, a_new, dtypes = own
        if a_new.shape != z.shape and k < len(layers) - 1:
            return [], None, None  # an activation of another shape (a reduction) cannot feed the next layer
        name = "dense_forward" if via == "dense_forward" else act
        if culprit is None:
            # (a Python bool: `a` may be a list-derived array of another shape than a_in)
            on_reference = own if a.shape == a_in.shape and np.array_equal(a, a_in) else \
                _own_layer(ctx, via, a_in, W, b, act)
            if on_reference is None:
                return [], None, None
            if compare(on_reference[0], z_ref) or compare(on_reference[1], a_ref):
                culprit = name
        if low is None and LOW_PRECISION & dtypes:
            low = name
        outs.append((z, a_new))
        a = a_new
    return outs, culprit, low


def _explainer(layers_of, select, vias):
    """explain(ctx, case, got) -> a note when the submission's own faulty helper fully explains the miss,
    or when a helper right at float32 precision does (its rounding grows through the next layers)."""

    def explain(ctx, case: Case, got: dict):
        x, layers = layers_of(case.inputs)
        for via in vias:
            try:
                outs, culprit, low = _own_layers(ctx, x, layers, case.inputs["_trace"], via)
            except SandboxError:
                continue
            if culprit is None and low is None:
                continue
            own = select(outs)
            if all(compare(got.get(label), value) is None for label, value in own.items()):
                if culprit is None:
                    return t("depends_precision", ctx.lang, other=low)
                expected = next(iter(case.accepted.values()))
                for label, value in expected.items():
                    mismatch = compare(got.get(label), value)
                    if mismatch is not None:
                        where = f"{label} [{case.label}]" if case.label else label
                        return t("depends_ok", ctx.lang, other=culprit, detail=mismatch.describe(where, ctx.lang))
        return None

    return explain


EXPLAIN_DENSE = _explainer(_dense_layers, lambda outs: {"z": outs[0][0], "a": outs[0][1]}, ("activations",))
EXPLAIN_MLP = _explainer(_mlp_layers, lambda outs: {"y": outs[-1][1]}, ("activations", "dense_forward"))
EXPLAIN_TLN = _explainer(_tln_layers, lambda outs: {"z1": outs[0][0], "a1": outs[0][1], "z2": outs[1][0],
                                                    "y": outs[1][1]}, ("activations", "dense_forward"))


def structured_check(name: str, spec: CaseSpec, points: float, needs: tuple[str, ...], *, hidden: bool = False,
                     cell: str = "", explain=None, id: str = "", title_es: str = "") -> Check:
    """A comparison check (like compare_check) for functions that return tuples: a return of the
    wrong kind gets its own message, and an output that is exactly what the student's own (faulty)
    helper leads to passes with a note naming that helper, so one error is scored once."""

    def run(ctx):
        note = None
        for case in ctx.cases(spec):
            try:
                got = spec.procedure(ctx.impl, case.inputs)
            except WrongReturn as exc:
                raise Fail(exc.describe(ctx.lang)) from None
            _, message = judge(got, case, ctx.lang, mistakes=ctx.mistakes)
            if message is None:
                continue
            explained = explain(ctx, case, got) if explain is not None else None
            if explained is None:
                raise Fail(message)
            # right given the student's own faulty helper: the fault is scored once, where it is
            note = note or explained
        return note

    return Check(name, points, run, needs, hidden, cell, id=id, title_es=title_es)


# ------------------------------------------------------------------ property checks
_SOFTMAX_NOT_ARRAY = Text("softmax(z) for z of shape {shape} should return an array of numbers; it returned {got}.",
                          "softmax(z) para z de forma {shape} debería devolver un array de números; devolvió {got}.")
_SOFTMAX_SHAPE = Text("softmax(z) for z of shape {shape} returned shape {got}; it must keep the shape of z.",
                      "softmax(z) para z de forma {shape} devolvió la forma {got}; debe conservar la forma de z.")
_SOFTMAX_NONFINITE = Text("softmax(z) for z of shape {shape} contains NaN or infinite values.",
                          "softmax(z) para z de forma {shape} contiene valores NaN o infinitos.")
_SOFTMAX_NEGATIVE = Text("softmax(z) for z of shape {shape} has negative entries (min {min:.3g}); probabilities are ≥ 0.",
                         "softmax(z) para z de forma {shape} tiene valores negativos (mín. {min:.3g}); las probabilidades son ≥ 0.")
_SOFTMAX_SUMS = Text("the columns of softmax(z) for z of shape {shape} should each sum to 1; column {col} sums to {sum:.6g}.",
                     "cada columna de softmax(z) para z de forma {shape} debería sumar 1; la columna {col} suma {sum:.6g}.")


def check_softmax_invariants(ctx):
    for shape in ((4, 7), (6, 3), (1, 5)):
        z = ctx.rng.normal(0.0, 4.0, shape)
        unnormalised = reference_case(SOFTMAX_INVARIANTS, {"z": z}).variants["forward_softmax_not_normalised"]
        s, dtype = as_float_array(ctx.impl.call("softmax", z))
        if s is None:
            raise Fail(ctx.text(_SOFTMAX_NOT_ARRAY, shape=shape, got=dtype))
        if s.shape != shape:
            raise Fail(ctx.text(_SOFTMAX_SHAPE, shape=shape, got=s.shape))
        if not np.isfinite(s).all():
            raise Fail(ctx.text(_SOFTMAX_NONFINITE, shape=shape))
        if s.min() < 0:
            raise Fail(ctx.text(_SOFTMAX_NEGATIVE, shape=shape, min=float(s.min())))
        sums = s.sum(axis=0)
        tol = 1e-4 if dtype in ("float32", "float16") else 1e-6
        bad = np.flatnonzero(np.abs(sums - 1.0) > tol)
        if bad.size:
            message = ctx.text(_SOFTMAX_SUMS, shape=shape, col=int(bad[0]), sum=float(sums[bad[0]]))
            if np.allclose(s.sum(axis=1), 1.0):
                message += ctx.mistake("forward_softmax_axis1")
            elif np.isclose(s.sum(), 1.0):
                message += ctx.mistake("forward_softmax_sum_all")
            elif np.allclose(s, unnormalised["softmax(z)"]) or np.allclose(s, np.exp(z)):
                message += ctx.mistake("forward_softmax_not_normalised")
            raise Fail(message)


#: ex1's constructor mistakes (autograder/net_checks.py holds the check, shared with ex2)
check_tln_construction = construction_check(NetMistakes(
    missing="forward_tln_init_missing", bias_1d="forward_tln_bias_1d", bias_shape="forward_tln_bias_shape",
    transposed="forward_tln_weights_transposed", constant="forward_tln_zero_weights", unseeded="forward_tln_unseeded"))


# ------------------------------------------------------------------ the checks
_ACT = "activations"
_OTHER = "other_activations"

CHECKS = [
    compare_check("sigmoid: fixtures", SIGMOID, 0.25, ("sigmoid",), cell=_ACT,
                  id="sigmoid", title_es="sigmoid: casos públicos"),
    finite_compare_check("sigmoid: stable for |z| up to 1000", (SIGMOID_LARGE,), 0.25, ("sigmoid",), cell=_ACT,
                         id="sigmoid_stable", title_es="sigmoid: estable para |z| de hasta 1000"),
    compare_check("tanh: fixtures", TANH, 0.5, ("tanh",), cell=_ACT,
                  id="tanh", title_es="tanh: casos públicos"),
    compare_check("relu: fixtures", RELU, 0.5, ("relu",), cell=_ACT,
                  id="relu", title_es="relu: casos públicos"),
    compare_check("leaky_relu: fixtures", LEAKY_RELU, 0.5, ("leaky_relu",), cell=_ACT,
                  id="leaky_relu", title_es="leaky_relu: casos públicos"),
    # the other activations (docs/contract-activations.md): public 1.75, hidden 1.25
    compare_check("softplus: fixtures", SOFTPLUS, 0.25, ("softplus",), cell=_OTHER,
                  id="softplus", title_es="softplus: casos públicos"),
    finite_compare_check("softplus: stable for |z| up to 1000", (SOFTPLUS_LARGE,), 0.25, ("softplus",), cell=_OTHER,
                         id="softplus_stable", title_es="softplus: estable para |z| de hasta 1000"),
    compare_check("elu: fixtures, default and given alpha", ELU, 0.25, ("elu",), cell=_OTHER,
                  id="elu", title_es="elu: casos públicos, alpha por defecto y dado"),
    compare_check("selu: fixtures", SELU, 0.25, ("selu",), cell=_OTHER,
                  id="selu", title_es="selu: casos públicos"),
    compare_check("swish: fixtures", SWISH, 0.25, ("swish",), cell=_OTHER,
                  id="swish", title_es="swish: casos públicos"),
    finite_compare_check("swish: stable for |z| up to 1000", (SWISH_LARGE,), 0.25, ("swish",), cell=_OTHER,
                         id="swish_stable", title_es="swish: estable para |z| de hasta 1000"),
    compare_check("gelu: fixtures, exact and tanh forms", GELU, 0.25, ("gelu",), cell=_OTHER,
                  id="gelu", title_es="gelu: casos públicos, forma exacta y con tanh"),
    compare_check("softmax: fixtures", SOFTMAX, 0.5, ("softmax",), cell="softmax",
                  id="softmax", title_es="softmax: casos públicos"),
    Check(CHECK_SOFTMAX_INVARIANTS, 0.5, check_softmax_invariants, ("softmax",), cell="softmax",
          id="softmax_distributions", title_es="softmax: las columnas son distribuciones de probabilidad"),
    finite_compare_check("softmax: stable for |z| up to 1000", (SOFTMAX_LARGE,), 0.5, ("softmax",), cell="softmax",
                         id="softmax_stable", title_es="softmax: estable para |z| de hasta 1000"),
    structured_check("dense_forward: fixtures, every activation", DENSE, 1.0, ("dense_forward",),
                     cell="dense_forward", explain=EXPLAIN_DENSE,
                     id="dense_forward", title_es="dense_forward: casos públicos, todas las activaciones"),
    structured_check("mlp_forward: fixtures", MLP, 1.0, ("mlp_forward",), cell="mlp_forward", explain=EXPLAIN_MLP,
                     id="mlp_forward", title_es="mlp_forward: casos públicos"),
    Check("TwoLayerNet: construction", 0.5, check_tln_construction, ("TwoLayerNet",), cell="two_layer_net",
          id="two_layer_net_init", title_es="TwoLayerNet: construcción"),
    structured_check("TwoLayerNet.forward: fixtures", TWO_LAYER_NET, 0.5, ("TwoLayerNet",), cell="two_layer_net",
                     explain=EXPLAIN_TLN, id="two_layer_net_forward", title_es="TwoLayerNet.forward: casos públicos"),
    # hidden: fresh inputs drawn with the hidden seed, compared with the reference
    # the fresh inputs of "sigmoid (hidden)" stay those it was released with; fresh |z| up to 1000 come after
    finite_compare_check("sigmoid (hidden): fresh inputs", (SIGMOID, SIGMOID_LARGE), 0.25, ("sigmoid",), hidden=True,
                         cell=_ACT, id="sigmoid_hidden",
                         title_es="sigmoid (oculta): entradas nuevas (también |z| ≥ 700)"),
    compare_check("tanh (hidden): fresh inputs", TANH, 0.25, ("tanh",), hidden=True, cell=_ACT,
                  id="tanh_hidden", title_es="tanh (oculta): entradas nuevas"),
    compare_check("relu (hidden): fresh inputs", RELU, 0.25, ("relu",), hidden=True, cell=_ACT,
                  id="relu_hidden", title_es="relu (oculta): entradas nuevas"),
    compare_check("leaky_relu (hidden): fresh inputs and alpha", LEAKY_RELU, 0.25, ("leaky_relu",), hidden=True,
                  cell=_ACT, id="leaky_relu_hidden", title_es="leaky_relu (oculta): entradas y alpha nuevos"),
    compare_check("softmax (hidden): fresh inputs", SOFTMAX, 0.5, ("softmax",), hidden=True, cell="softmax",
                  id="softmax_hidden", title_es="softmax (oculta): entradas nuevas"),
    finite_compare_check("softplus (hidden): fresh inputs, |z| up to 1000", (SOFTPLUS, SOFTPLUS_LARGE), 0.25,
                         ("softplus",), hidden=True, cell=_OTHER, id="softplus_hidden",
                         title_es="softplus (oculta): entradas nuevas, |z| de hasta 1000"),
    compare_check("elu (hidden): fresh inputs and alpha", ELU, 0.25, ("elu",), hidden=True, cell=_OTHER,
                  id="elu_hidden", title_es="elu (oculta): entradas y alpha nuevos"),
    compare_check("selu (hidden): fresh inputs", SELU, 0.25, ("selu",), hidden=True, cell=_OTHER,
                  id="selu_hidden", title_es="selu (oculta): entradas nuevas"),
    finite_compare_check("swish (hidden): fresh inputs, |z| up to 1000", (SWISH, SWISH_LARGE), 0.25, ("swish",),
                         hidden=True, cell=_OTHER, id="swish_hidden",
                         title_es="swish (oculta): entradas nuevas, |z| de hasta 1000"),
    compare_check("gelu (hidden): fresh inputs, both forms", GELU, 0.25, ("gelu",), hidden=True, cell=_OTHER,
                  id="gelu_hidden", title_es="gelu (oculta): entradas nuevas, las dos formas"),
    structured_check("dense_forward (hidden): fresh inputs", DENSE, 0.75, ("dense_forward",), hidden=True,
                     cell="dense_forward", explain=EXPLAIN_DENSE,
                     id="dense_forward_hidden", title_es="dense_forward (oculta): entradas nuevas"),
    structured_check("mlp_forward (hidden): fresh inputs", MLP, 0.75, ("mlp_forward",), hidden=True,
                     cell="mlp_forward", explain=EXPLAIN_MLP,
                     id="mlp_forward_hidden", title_es="mlp_forward (oculta): entradas nuevas"),
    structured_check("TwoLayerNet.forward (hidden): fresh inputs", TWO_LAYER_NET, 0.5, ("TwoLayerNet",),
                     hidden=True, cell="two_layer_net", explain=EXPLAIN_TLN,
                     id="two_layer_net_forward_hidden", title_es="TwoLayerNet.forward (oculta): entradas nuevas"),
]
