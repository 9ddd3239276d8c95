"""ex2 backward: activation derivatives, costs, backpropagation through an MLP and the two-layer net, numerical gradients.

What is checked
* Comparisons with the reference (public: committed fixtures; hidden: fresh
  inputs drawn with the hidden seed): the three derivatives (with exact zeros
  in z, so ReLU'(0) is tested), the four costs, ``mlp_forward``,
  ``mlp_backward`` (called with the caches of the student's own
  ``mlp_forward``; a wrong ``y`` is reported as ``mlp_forward``'s fault), and
  ``TwoLayerNet.backward`` / ``gradient_step``. Tolerance: the SPEC's
  ``|got − expected| ≤ 1e-10·max|expected| + 1e-6·|expected|``.
* The other activations' derivatives (``docs/contract-activations.md``, which extends the SPEC's ex2
  row): ``softplus_prime``, ``elu_prime`` (default alpha and a given one), ``selu_prime``,
  ``swish_prime``, ``gelu_prime``, compared with the reference like the three above (exact zeros in z:
  the kinks of ELU and SELU take the z ≤ 0 branch there), public and hidden, one check each.
* Gradient checks of the student's own functions (public, no reference):
  ``mlp_backward`` against centered differences of the student's own
  ``mlp_forward`` with the quadratic cost, and ``TwoLayerNet.backward``
  against centered differences of its own ``forward`` with the quadratic cost,
  both along two random unit directions D of each parameter: the relative error
  ``|⟨dP, D⟩ − (J(P+hD) − J(P−hD))/2h| / max(|⟨dP, D⟩| + |num|, floor)``
  must stay below 1e-6, h = 1e-5, floor = max(1e-3·‖dP‖, 1e8·ε·|J|/h): the
  second term keeps the rounding error of the centered difference (≈ ε|J|/h)
  near 1e-8 in relative terms, so a correct gradient reaches ≈ 1e-8 at worst
  (over 40 seeds; tests/exercises/test_ex2.py) while any error in a
  directional derivative above ≈ 2e-9·|J| is caught. ReLU pre-activations are
  kept at least 1e-2 away from 0 (1e-3 in the comparisons), so no step
  crosses the kink. Those pre-activations, and the y that the student's
  forward must give first (else it is blamed), are the reference's on the
  check's own draws (``FORWARD_SPEC``, ``NET_FORWARD_SPEC``; the public draws'
  are in the fixtures): this module computes no forward pass. When a gradient check fails, the
  submission's whole gradients are compared with the known mistakes' on the check's own draws
  (``MLP_GRAD_SPEC``, ``NET_GRAD_SPEC``: asked on every run, so the public fixture holds them) and a
  match is named. The first MLP architecture has square layers only, so a W used untransposed runs
  there and is named instead of stopping at a shape error.
* ``TwoLayerNet``'s own constructor and forward (the grader assigns W1, b1, W2, b2 itself before
  calling the methods, so nothing else sees them): the constructor must set the attributes W1
  (n_hidden, n_in), b1 (n_hidden, 1), W2 (n_out, n_hidden), b2 (n_out, 1), finite, the weights
  not all equal, the same arrays for the same seed, and work with the default seed (a missing
  attribute, biases that are not columns and transposed weights are named); ``forward``'s four
  outputs (z1, a1, z2, y) are compared with the reference, public and hidden, not only y (a
  sign flip on z1 or z2 is named).
* ``softmax_cross_entropy_delta`` at large |z| (SPEC: finite and right up to |z| = 1e3): public
  cases, and hidden ones after the hidden costs' own, with columns near ±1000, with z in
  [400, 405] (where exp(z) is finite but exp(z + max) overflows) and mixed; a NaN or inf where
  the reference is finite is said as such with its index and z, and the maximum added instead of
  subtracted, or not subtracted at all, is named.
* ``gradient_step``: the parameters afterwards equal ``θ − η·(the student's own
  backward)``, so the update rule scores apart from the gradients.
* ``numerical_gradient`` on ``f(x) = Σ a⊙sin(x) + ½ Σ b⊙x²`` (the sandbox
  catalog's ``sin_quadratic``) against its exact gradient ``a⊙cos(x) + b⊙x``,
  computed here: relative error (floor 0.1·max|exact|) below 1e-6. With the
  public h = 1e-4, centered differences stay below ≈ 1e-8 and one-sided ones
  reach ≥ 8e-6 (over 200 seeds of the input generator), so a one-sided
  difference fails; ``x`` must be bit-for-bit unchanged after the call.
"""
from __future__ import annotations

import numpy as np

from ..cases import reference_case
from ..checks import (CONTEXT, CaseSpec, Check, Fail, Mistake, compare_check, correct_given_upstream,
                      finite_compare_check, labelled, mistake_catalog)
from ..compare import as_float_array, compare
from ..messages import Text, t
from ..net_checks import NetMistakes, construction_check
from ..sandbox import CatalogFunction, StudentRaised, Unsupported, catalog


MISTAKES = mistake_catalog(
    Mistake("backprop_relu_prime_at_zero", "relu_prime gives 1 at z = 0; the course's convention is ReLU'(0) = 0 (use z > 0, not z >= 0).",
            "relu_prime da 1 en z = 0; el convenio del curso es ReLU'(0) = 0 (usa z > 0, no z >= 0).",
            targets=("relu_prime",)),
    Mistake("backprop_sigmoid_prime_of_a", "sigmoid_prime computes z(1 − z): the formula a(1 − a) needs the activation a = σ(z), but the argument is z.",
            "sigmoid_prime calcula z(1 − z): la fórmula a(1 − a) necesita la activación a = σ(z), pero el argumento es z.",
            targets=("sigmoid_prime",)),
    Mistake("backprop_tanh_prime_of_a", "tanh_prime computes 1 − z²: the formula 1 − a² needs the activation a = tanh(z), but the argument is z.",
            "tanh_prime calcula 1 − z²: la fórmula 1 − a² necesita la activación a = tanh(z), pero el argumento es z.",
            targets=("tanh_prime",)),
    Mistake("backprop_relu_prime_is_relu", "relu_prime returns max(0, z), the activation itself; its derivative is "
            "1 where z > 0 and 0 elsewhere: (z > 0).astype(float).",
            "relu_prime devuelve max(0, z), la propia activación; su derivada vale 1 donde z > 0 y 0 en el resto: "
            "(z > 0).astype(float).",
            targets=("relu_prime", "derivatives_hidden")),
    Mistake("backprop_sigmoid_prime_no_one_minus", "sigmoid_prime returns σ(z) alone: the factor (1 − σ(z)) is "
            "missing, σ'(z) = σ(z)(1 − σ(z)).",
            "sigmoid_prime devuelve solo σ(z): falta el factor (1 − σ(z)), σ'(z) = σ(z)(1 − σ(z)).",
            targets=("sigmoid_prime", "derivatives_hidden")),
    Mistake("backprop_tanh_prime_not_squared", "tanh_prime computes 1 − tanh(z): tanh must be squared, "
            "tanh'(z) = 1 − tanh(z)².",
            "tanh_prime calcula 1 − tanh(z): tanh debe ir al cuadrado, tanh'(z) = 1 − tanh(z)².",
            targets=("tanh_prime", "derivatives_hidden")),
    Mistake("backprop_softplus_prime_is_softplus",
            "softplus_prime returns softplus(z), the activation itself: its derivative is σ(z) = 1/(1 + e^(−z)).",
            "softplus_prime devuelve softplus(z), la propia activación: su derivada es σ(z) = 1/(1 + e^(−z)).",
            targets=("softplus_prime", "softplus_prime_hidden")),
    Mistake("backprop_softplus_prime_sign",
            "softplus_prime returns σ(−z) = 1/(1 + e^z): d/dz log(1 + e^z) = e^z/(1 + e^z) = σ(z) (the chain "
            "rule's factor e^z, or the sign, is lost).",
            "softplus_prime devuelve σ(−z) = 1/(1 + e^z): d/dz log(1 + e^z) = e^z/(1 + e^z) = σ(z) (se ha perdido el "
            "factor e^z de la regla de la cadena, o el signo).",
            targets=("softplus_prime", "softplus_prime_hidden")),
    Mistake("backprop_softplus_prime_sigmoid_prime",
            "softplus_prime returns σ(z)(1 − σ(z)), the derivative of σ (softplus's second derivative): "
            "softplus'(z) = σ(z).",
            "softplus_prime devuelve σ(z)(1 − σ(z)), la derivada de σ (la segunda derivada de softplus): "
            "softplus'(z) = σ(z).",
            targets=("softplus_prime", "softplus_prime_hidden")),
    Mistake("backprop_elu_prime_is_elu",
            "elu_prime returns alpha·(e^z − 1) for z ≤ 0, the ELU itself: its derivative there is alpha·e^z "
            "(and 1 for z > 0).",
            "elu_prime devuelve alpha·(e^z − 1) para z ≤ 0, la propia ELU: su derivada ahí es alpha·e^z "
            "(y 1 para z > 0).",
            targets=("elu_prime", "elu_prime_hidden")),
    Mistake("backprop_elu_prime_zero_negative",
            "elu_prime is 0 for z ≤ 0, as ReLU's derivative: ELU's is alpha·e^z there (and 1 for z > 0).",
            "elu_prime vale 0 para z ≤ 0, como la derivada de ReLU: la de la ELU es alpha·e^z ahí (y 1 para z > 0).",
            targets=("elu_prime", "elu_prime_hidden")),
    Mistake("backprop_elu_prime_fixed_alpha",
            "elu_prime ignores alpha (e^z for z ≤ 0): the derivative is alpha·e^z there, with the alpha argument.",
            "elu_prime ignora alpha (e^z para z ≤ 0): la derivada es alpha·e^z ahí, con el argumento alpha.",
            targets=("elu_prime", "elu_prime_hidden")),
    Mistake("backprop_elu_prime_one_at_zero",
            "elu_prime gives 1 at z = 0: at the kink the course takes the z ≤ 0 branch, alpha·e^0 = alpha (use "
            "z > 0, not z >= 0, as for relu_prime).",
            "elu_prime da 1 en z = 0: en el punto anguloso el curso toma la rama z ≤ 0, alpha·e^0 = alpha (usa "
            "z > 0, no z >= 0, como en relu_prime).",
            targets=("elu_prime", "elu_prime_hidden")),
    Mistake("backprop_selu_prime_no_lambda",
            "selu_prime leaves out the scale λ: SELU'(z) = λ for z > 0 and λα·e^z for z ≤ 0 "
            "(λ = 1.0507009873554805, α = 1.6732632423543772).",
            "selu_prime deja fuera la escala λ: SELU'(z) = λ para z > 0 y λα·e^z para z ≤ 0 "
            "(λ = 1.0507009873554805, α = 1.6732632423543772).",
            targets=("selu_prime", "selu_prime_hidden")),
    Mistake("backprop_selu_prime_lambda_positive_only",
            "selu_prime has λ on the positive side only: for z ≤ 0 it is λα·e^z, not α·e^z.",
            "selu_prime tiene λ solo en la parte positiva: para z ≤ 0 es λα·e^z, no α·e^z.",
            targets=("selu_prime", "selu_prime_hidden")),
    Mistake("backprop_selu_prime_is_selu",
            "selu_prime returns λα(e^z − 1) for z ≤ 0, the SELU itself: its derivative there is λα·e^z.",
            "selu_prime devuelve λα(e^z − 1) para z ≤ 0, la propia SELU: su derivada ahí es λα·e^z.",
            targets=("selu_prime", "selu_prime_hidden")),
    Mistake("backprop_selu_prime_at_zero",
            "selu_prime gives λ at z = 0: at the kink the course takes the z ≤ 0 branch, λα·e^0 = λα (use z > 0, "
            "not z >= 0, as for relu_prime).",
            "selu_prime da λ en z = 0: en el punto anguloso el curso toma la rama z ≤ 0, λα·e^0 = λα (usa z > 0, "
            "no z >= 0, como en relu_prime).",
            targets=("selu_prime", "selu_prime_hidden")),
    Mistake("backprop_swish_prime_no_sigmoid_term",
            "swish_prime misses the σ(z) term of the product rule: (z·σ(z))' = σ(z) + z·σ(z)(1 − σ(z)).",
            "a swish_prime le falta el término σ(z) de la regla del producto: (z·σ(z))' = σ(z) + z·σ(z)(1 − σ(z)).",
            targets=("swish_prime", "swish_prime_hidden")),
    Mistake("backprop_swish_prime_no_z_term",
            "swish_prime returns σ(z) alone: the product rule's second term z·σ'(z) is missing, "
            "(z·σ(z))' = σ(z) + z·σ(z)(1 − σ(z)).",
            "swish_prime devuelve solo σ(z): falta el segundo término de la regla del producto, z·σ'(z); "
            "(z·σ(z))' = σ(z) + z·σ(z)(1 − σ(z)).",
            targets=("swish_prime", "swish_prime_hidden")),
    Mistake("backprop_swish_prime_no_z_factor",
            "swish_prime computes σ(z) + σ(z)(1 − σ(z)): the second term needs the factor z, "
            "(z·σ(z))' = σ(z) + z·σ(z)(1 − σ(z)).",
            "swish_prime calcula σ(z) + σ(z)(1 − σ(z)): al segundo término le falta el factor z, "
            "(z·σ(z))' = σ(z) + z·σ(z)(1 − σ(z)).",
            targets=("swish_prime", "swish_prime_hidden")),
    Mistake("backprop_gelu_prime_cdf_only",
            "gelu_prime returns Φ(z) alone: the product rule's z·φ(z) term is missing, (z·Φ(z))' = Φ(z) + z·φ(z) "
            "with φ(z) = e^(−z²/2)/√(2π).",
            "gelu_prime devuelve solo Φ(z): falta el término z·φ(z) de la regla del producto, "
            "(z·Φ(z))' = Φ(z) + z·φ(z) con φ(z) = e^(−z²/2)/√(2π).",
            targets=("gelu_prime", "gelu_prime_hidden")),
    Mistake("backprop_gelu_prime_pdf_only",
            "gelu_prime returns φ(z), the derivative of Φ alone: GELU is z·Φ(z), so by the product rule "
            "GELU'(z) = Φ(z) + z·φ(z).",
            "gelu_prime devuelve φ(z), solo la derivada de Φ: la GELU es z·Φ(z), así que por la regla del producto "
            "GELU'(z) = Φ(z) + z·φ(z).",
            targets=("gelu_prime", "gelu_prime_hidden")),
    Mistake("backprop_gelu_prime_pdf_unnormalised",
            "the normal density lacks its factor 1/√(2π): φ(z) = e^(−z²/2)/√(2π), and GELU'(z) = Φ(z) + z·φ(z).",
            "a la densidad normal le falta su factor 1/√(2π): φ(z) = e^(−z²/2)/√(2π), y GELU'(z) = Φ(z) + z·φ(z).",
            targets=("gelu_prime", "gelu_prime_hidden")),
    Mistake("backprop_mse_sum", "mse_loss sums over the examples instead of averaging: divide by m, the number of columns.",
            "mse_loss suma sobre los ejemplos en lugar de promediar: divide entre m, el número de columnas.",
            targets=("mse_loss",)),
    Mistake("backprop_mse_no_half", "mse_loss is missing the ½: the course's quadratic cost is (1/m) Σ ½‖y − t‖².",
            "a mse_loss le falta el ½: el coste cuadrático del curso es (1/m) Σ ½‖y − t‖².",
            targets=("mse_loss",)),
    Mistake("backprop_mse_mean_entries", "mse_loss averages over every entry (np.mean), so it also divides by the "
            "number of output rows; the cost is the mean over the m columns of ½‖y − t‖²: "
            "np.sum((y − t)**2) / (2 m), with m = y.shape[1].",
            "mse_loss promedia sobre todas las entradas (np.mean), así que también divide entre el número de filas de "
            "salida; el coste es la media sobre las m columnas de ½‖y − t‖²: np.sum((y − t)**2) / (2 m), con "
            "m = y.shape[1].",
            targets=("mse_loss",)),
    Mistake("backprop_mse_rows", "mse_loss divides by the number of rows (len(y) or y.shape[0], the outputs); the "
            "examples are the columns: m = y.shape[1].",
            "mse_loss divide entre el número de filas (len(y) o y.shape[0], las salidas); los ejemplos son las "
            "columnas: m = y.shape[1].",
            targets=("mse_loss",)),
    Mistake("backprop_ce_sum", "cross_entropy_loss sums over the examples instead of averaging: divide by m, the number of columns.",
            "cross_entropy_loss suma sobre los ejemplos en lugar de promediar: divide entre m, el número de columnas.",
            targets=("cross_entropy_loss",)),
    Mistake("backprop_ce_binary_terms", "cross_entropy_loss adds the (1 − t) log(1 − y) terms of the binary "
            "cross-entropy; for softmax outputs and one-hot targets the cost is −(1/m) Σ t log y only.",
            "cross_entropy_loss suma los términos (1 − t) log(1 − y) de la entropía cruzada binaria; para salidas "
            "softmax y objetivos one-hot el coste es solo −(1/m) Σ t log y.",
            targets=("cross_entropy_loss",)),
    Mistake("backprop_ce_no_minus", "cross_entropy_loss is missing the minus sign: log y < 0, so the cost "
            "−(1/m) Σ t log y is positive.",
            "a cross_entropy_loss le falta el signo menos: log y < 0, así que el coste −(1/m) Σ t log y es positivo.",
            targets=("cross_entropy_loss",)),
    Mistake("backprop_ce_mean_entries", "cross_entropy_loss averages over every entry (np.mean), so it also divides "
            "by the number of classes; it is the mean over the m columns of the sum over the classes: "
            "−np.sum(t * np.log(y)) / m.",
            "cross_entropy_loss promedia sobre todas las entradas (np.mean), así que también divide entre el número "
            "de clases; es la media sobre las m columnas de la suma sobre las clases: −np.sum(t * np.log(y)) / m.",
            targets=("cross_entropy_loss",)),
    Mistake("backprop_bce_sum", "binary_cross_entropy_loss sums over the examples instead of averaging: divide by m, "
            "the number of columns.",
            "binary_cross_entropy_loss suma sobre los ejemplos en lugar de promediar: divide entre m, el número de "
            "columnas.",
            targets=("binary_cross_entropy_loss",)),
    Mistake("backprop_bce_no_minus", "binary_cross_entropy_loss is missing the minus sign: "
            "J = −(1/m) Σ [t log y + (1 − t) log(1 − y)], which is positive.",
            "a binary_cross_entropy_loss le falta el signo menos: J = −(1/m) Σ [t log y + (1 − t) log(1 − y)], que "
            "es positivo.",
            targets=("binary_cross_entropy_loss",)),
    Mistake("backprop_bce_missing_term", "binary_cross_entropy_loss is missing the (1 − t) log(1 − y) term, so examples with t = 0 cost nothing.",
            "a binary_cross_entropy_loss le falta el término (1 − t) log(1 − y), así que los ejemplos con t = 0 no cuestan nada.",
            targets=("binary_cross_entropy_loss",)),
    Mistake("backprop_bce_mean_entries", "binary_cross_entropy_loss averages over every entry (np.mean); it is the mean over the m columns of the sum over the output rows.",
            "binary_cross_entropy_loss promedia sobre todas las entradas (np.mean); es la media sobre las m columnas de la suma sobre las filas de salida.",
            targets=("binary_cross_entropy_loss",)),
    Mistake("backprop_delta_no_m", "softmax_cross_entropy_delta is not divided by m: the cost is a mean, so δ = (softmax(z) − t)/m.",
            "softmax_cross_entropy_delta no se divide entre m: el coste es una media, así que δ = (softmax(z) − t)/m.",
            targets=("softmax_cross_entropy_delta", "softmax_cross_entropy_delta_stable")),
    Mistake("backprop_delta_softmax_axis1", "the softmax in softmax_cross_entropy_delta is taken over the rows "
            "(axis 1); each column is one example, so normalise over axis 0.",
            "la softmax de softmax_cross_entropy_delta se calcula sobre las filas (eje 1); cada columna es un "
            "ejemplo, así que normaliza sobre el eje 0.",
            targets=("softmax_cross_entropy_delta", "softmax_cross_entropy_delta_stable", "costs_hidden")),
    Mistake("backprop_delta_no_softmax", "softmax_cross_entropy_delta uses z itself: apply the softmax first, "
            "δ = (softmax(z) − t)/m.",
            "softmax_cross_entropy_delta usa el propio z: aplica antes la softmax, δ = (softmax(z) − t)/m.",
            targets=("softmax_cross_entropy_delta", "softmax_cross_entropy_delta_stable", "costs_hidden")),
    Mistake("backprop_delta_sign", "softmax_cross_entropy_delta has the wrong sign: δ = ∂J/∂z = (softmax(z) − t)/m, "
            "not (t − softmax(z))/m.",
            "softmax_cross_entropy_delta tiene el signo cambiado: δ = ∂J/∂z = (softmax(z) − t)/m, no "
            "(t − softmax(z))/m.",
            targets=("softmax_cross_entropy_delta", "softmax_cross_entropy_delta_stable", "costs_hidden")),
    Mistake("backprop_delta_rows", "softmax_cross_entropy_delta divides by the number of rows (len(z) or "
            "z.shape[0], the classes); the examples are the columns: δ = (softmax(z) − t)/m with m = z.shape[1].",
            "softmax_cross_entropy_delta divide entre el número de filas (len(z) o z.shape[0], las clases); los "
            "ejemplos son las columnas: δ = (softmax(z) − t)/m con m = z.shape[1].",
            targets=("softmax_cross_entropy_delta", "softmax_cross_entropy_delta_stable")),
    Mistake("backprop_delta_max_added", "softmax_cross_entropy_delta adds each column's maximum instead of subtracting "
            "it: exp(z + max) overflows at |z| ≈ 1000 (inf/inf is NaN). Subtract it: exp(z − max), so the largest "
            "exponent is 0.",
            "softmax_cross_entropy_delta suma el máximo de cada columna en lugar de restarlo: exp(z + max) desborda "
            "con |z| ≈ 1000 (inf/inf es NaN). Réstalo: exp(z − max), así el mayor exponente es 0.",
            targets=("softmax_cross_entropy_delta_stable", "costs_hidden")),
    Mistake("backprop_delta_global_max", "the softmax in softmax_cross_entropy_delta subtracts the maximum of the "
            "whole matrix, not each column's: a column whose scores all lie far below the global maximum (≈ −1000 "
            "next to a column ≈ +1000) underflows to 0/0 = NaN. Subtract each column's maximum: "
            "z − z.max(axis=0, keepdims=True).",
            "la softmax de softmax_cross_entropy_delta resta el máximo de toda la matriz, no el de cada columna: una "
            "columna cuyos valores quedan todos muy por debajo del máximo global (≈ −1000 junto a una columna "
            "≈ +1000) se anula y da 0/0 = NaN. Resta el máximo de cada columna: z − z.max(axis=0, keepdims=True).",
            targets=("softmax_cross_entropy_delta_stable", "costs_hidden")),
    Mistake("backprop_delta_unstable", "the softmax in softmax_cross_entropy_delta is not stabilised: exp(z) overflows "
            "above z ≈ 709 (inf/inf is NaN) and is 0 in a column whose every z is below ≈ −745 (0/0 is NaN). Subtract "
            "each column's maximum first: exp(z − max) / Σ exp(z − max).",
            "la softmax de softmax_cross_entropy_delta no está estabilizada: exp(z) desborda por encima de z ≈ 709 "
            "(inf/inf es NaN) y vale 0 en una columna cuyos z están todos por debajo de ≈ −745 (0/0 es NaN). Resta "
            "antes el máximo de cada columna: exp(z − max) / Σ exp(z − max).",
            targets=("softmax_cross_entropy_delta_stable", "costs_hidden")),
    Mistake("backprop_mlp_transposed_dW", "dW is transposed: it is δ a_prevᵀ, of shape (n_k, n_{k−1}) like W, not a_prev δᵀ.",
            "dW está traspuesta: es δ a_prevᵀ, de forma (n_k, n_{k−1}) como W, no a_prev δᵀ.",
            targets=("mlp_backward",)),
    Mistake("backprop_mlp_db_mean", "db averages δ over the columns; dy already holds the 1/m, so db = Σ_columns δ (np.sum(delta, axis=1, keepdims=True)).",
            "db promedia δ sobre las columnas; dy ya lleva el 1/m, así que db = Σ_columnas δ (np.sum(delta, axis=1, keepdims=True)).",
            targets=("mlp_backward",)),
    Mistake("backprop_mlp_db_not_summed", "db is δ itself, of shape (n_k, m); sum it over the columns: db = np.sum(delta, axis=1, keepdims=True), shape (n_k, 1).",
            "db es el propio δ, de forma (n_k, m); súmalo sobre las columnas: db = np.sum(delta, axis=1, keepdims=True), forma (n_k, 1).",
            targets=("mlp_backward",)),
    Mistake("backprop_mlp_no_last_fprime", "the last layer's δ is dy itself: multiply by f'(z(L)) of the output activation too (it is 1 only for \"linear\").",
            "el δ de la última capa es el propio dy: multiplica también por f'(z(L)) de la activación de salida (solo vale 1 para \"linear\").",
            targets=("mlp_backward",)),
    Mistake("backprop_mlp_W_not_transposed", "the error is propagated with W instead of its transpose: "
            "∂J/∂a(k−1) = W(k)ᵀ δ(k) (np.dot(W.T, delta)), of shape (n_(k−1), m).",
            "el error se propaga con W en lugar de su traspuesta: ∂J/∂a(k−1) = W(k)ᵀ δ(k) (np.dot(W.T, delta)), de "
            "forma (n_(k−1), m).",
            targets=("mlp_backward", "mlp_backward_gradient", "mlp_backward_hidden")),
    Mistake("backprop_mlp_fprime_of_a", "the derivative is evaluated at the activation a(k) instead of z(k): "
            "δ(k) = ∂J/∂a(k) ⊙ f'(z(k)), and the derivative functions take z.",
            "la derivada se evalúa en la activación a(k) en lugar de en z(k): δ(k) = ∂J/∂a(k) ⊙ f'(z(k)), y las "
            "funciones derivada reciben z.",
            targets=("mlp_backward", "mlp_backward_gradient", "mlp_backward_hidden")),
    Mistake("backprop_mlp_extra_m", "dW and db are divided by m again; dy already holds the 1/m of the mean, so "
            "dW = δ a_prevᵀ and db = Σ_columns δ, with no further division.",
            "dW y db se dividen otra vez entre m; dy ya lleva el 1/m de la media, así que dW = δ a_prevᵀ y "
            "db = Σ_columnas δ, sin dividir más.",
            targets=("mlp_backward", "mlp_backward_gradient", "mlp_backward_hidden")),
    Mistake("backprop_mlp_db_axis0", "db sums δ over the rows (axis 0), giving shape (1, m); sum over the "
            "columns (the examples): db = np.sum(delta, axis=1, keepdims=True), shape (n_k, 1).",
            "db suma δ sobre las filas (eje 0) y da forma (1, m); suma sobre las columnas (los ejemplos): "
            "db = np.sum(delta, axis=1, keepdims=True), forma (n_k, 1).",
            targets=("mlp_backward", "mlp_backward_gradient", "mlp_backward_hidden")),
    Mistake("backprop_mlp_not_reversed", "the gradients are returned in the order they were computed, last layer "
            "first; return [(dW1, db1), …, (dWL, dbL)], in the order of params (reverse the list).",
            "los gradientes se devuelven en el orden en que se calcularon, la última capa primero; devuelve "
            "[(dW1, db1), …, (dWL, dbL)], en el orden de params (invierte la lista).",
            targets=("mlp_backward", "mlp_backward_gradient", "mlp_backward_hidden")),
    Mistake("backprop_net_init_missing", "TwoLayerNet's constructor does not set the attributes W1, b1, W2, b2: "
            "assign them as self.W1 = …, self.b1 = …, self.W2 = …, self.b2 = … (the methods read them from self).",
            "el constructor de TwoLayerNet no define los atributos W1, b1, W2, b2: asígnalos como self.W1 = …, "
            "self.b1 = …, self.W2 = …, self.b2 = … (los métodos los leen de self).",
            targets=("two_layer_net_init",)),
    Mistake("backprop_net_bias_shape", "the biases are not column vectors: b1 has shape (n_hidden, 1) and b2 "
            "(n_out, 1), one entry per unit, so that W x + b broadcasts over the m columns (e.g. "
            "np.zeros((n_hidden, 1))).",
            "los sesgos no son vectores columna: b1 tiene forma (n_hidden, 1) y b2 (n_out, 1), una entrada por unidad, "
            "para que W x + b se difunda sobre las m columnas (p. ej. np.zeros((n_hidden, 1))).",
            targets=("two_layer_net_init",)),
    Mistake("backprop_net_weights_transposed", "the weights are transposed: W(k) has shape (n_k, n_(k−1)), so W1 is "
            "(n_hidden, n_in) and W2 is (n_out, n_hidden), and z = W x + b.",
            "los pesos están traspuestos: W(k) tiene forma (n_k, n_(k−1)), así que W1 es (n_hidden, n_in) y W2 es "
            "(n_out, n_hidden), y z = W x + b.",
            targets=("two_layer_net_init",)),
    Mistake("backprop_net_zero_weights", "all weights start at the same value (e.g. zeros): every hidden unit then "
            "computes the same thing and gets the same gradient. Draw W1 and W2 at random.",
            "todos los pesos empiezan con el mismo valor (p. ej. ceros): así todas las unidades ocultas calculan lo "
            "mismo y reciben el mismo gradiente. Genera W1 y W2 al azar.",
            targets=("two_layer_net_init",)),
    Mistake("backprop_net_unseeded", "the seed is not used: draw the weights from np.random.default_rng(seed), so "
            "the same seed gives the same network.",
            "no se usa la semilla: genera los pesos con np.random.default_rng(seed), para que la misma semilla dé la "
            "misma red.",
            targets=("two_layer_net_init",)),
    Mistake("backprop_net_z1_sign", "forward returns −z1: z1 = W1 x + b1 is the hidden pre-activation, and "
            "a1 = σ(z1) = 1/(1 + e^(−z1)); a sign folded into z1 (z1 = −(W1 x + b1), a1 = 1/(1 + e^(z1))) gives the "
            "right a1 but the wrong z1.",
            "forward devuelve −z1: z1 = W1 x + b1 es la preactivación oculta y a1 = σ(z1) = 1/(1 + e^(−z1)); un signo "
            "metido en z1 (z1 = −(W1 x + b1), a1 = 1/(1 + e^(z1))) da el a1 correcto pero un z1 equivocado.",
            targets=("two_layer_net_forward", "two_layer_net_forward_hidden")),
    Mistake("backprop_net_z2_sign", "forward returns −z2: z2 = W2 a1 + b2, and the output is linear, y = z2.",
            "forward devuelve −z2: z2 = W2 a1 + b2, y la salida es lineal, y = z2.",
            targets=("two_layer_net_forward", "two_layer_net_forward_hidden")),
    Mistake("backprop_net_no_m", "TwoLayerNet.backward is missing the 1/m: mse_loss is a mean over the m columns, so δ2 = (y − t)/m.",
            "a TwoLayerNet.backward le falta el 1/m: mse_loss es una media sobre las m columnas, así que δ2 = (y − t)/m.",
            targets=("two_layer_net_backward",)),
    Mistake("backprop_net_no_sigmoid_prime", "TwoLayerNet.backward leaves out σ'(z1): the hidden layer's error is "
            "δ1 = (W2ᵀ δ2) ⊙ σ(z1)(1 − σ(z1)).",
            "TwoLayerNet.backward omite σ'(z1): el error de la capa oculta es δ1 = (W2ᵀ δ2) ⊙ σ(z1)(1 − σ(z1)).",
            targets=("two_layer_net_backward", "two_layer_net_backward_gradient", "two_layer_net_hidden")),
    Mistake("backprop_net_sigmoid_prime_of_a", "TwoLayerNet.backward evaluates σ' at a1 = σ(z1) instead of z1: "
            "σ'(z1) = σ(z1)(1 − σ(z1)) = a1(1 − a1), so either sigmoid_prime(z1) or a1 * (1 − a1), not "
            "sigmoid_prime(a1).",
            "TwoLayerNet.backward evalúa σ' en a1 = σ(z1) en lugar de en z1: σ'(z1) = σ(z1)(1 − σ(z1)) = a1(1 − a1), "
            "así que sigmoid_prime(z1) o a1 * (1 − a1), no sigmoid_prime(a1).",
            targets=("two_layer_net_backward", "two_layer_net_backward_gradient", "two_layer_net_hidden")),
    Mistake("backprop_net_db_mean", "TwoLayerNet.backward averages δ over the columns for db1 and db2; δ already "
            "holds the 1/m, so db = np.sum(delta, axis=1, keepdims=True).",
            "TwoLayerNet.backward promedia δ sobre las columnas para db1 y db2; δ ya lleva el 1/m, así que "
            "db = np.sum(delta, axis=1, keepdims=True).",
            targets=("two_layer_net_backward", "two_layer_net_backward_gradient", "two_layer_net_hidden")),
    Mistake("backprop_net_sign", "TwoLayerNet.backward returns the gradients with the wrong sign: δ2 = ∂J/∂y = "
            "(y − t)/m, not (t − y)/m.",
            "TwoLayerNet.backward devuelve los gradientes con el signo cambiado: δ2 = ∂J/∂y = (y − t)/m, no "
            "(t − y)/m.",
            targets=("two_layer_net_backward", "two_layer_net_backward_gradient", "two_layer_net_hidden")),
    Mistake("backprop_net_ascent", "gradient_step adds the gradient (ascent); gradient descent subtracts it: θ ← θ − η ∂J/∂θ.",
            "gradient_step suma el gradiente (ascenso); el descenso por gradiente lo resta: θ ← θ − η ∂J/∂θ.",
            targets=("gradient_step",)),
    Mistake("backprop_net_step_weights_only", "gradient_step updates W1 and W2 but not the biases: every parameter "
            "takes its step, b ← b − η ∂J/∂b too.",
            "gradient_step actualiza W1 y W2 pero no los sesgos: todos los parámetros dan su paso, también "
            "b ← b − η ∂J/∂b.",
            targets=("gradient_step", "two_layer_net_hidden")),
    Mistake("backprop_net_step_fixed_eta", "gradient_step uses a fixed learning rate instead of its argument eta: "
            "θ ← θ − eta ∂J/∂θ with the eta it is called with.",
            "gradient_step usa una tasa de aprendizaje fija en lugar de su argumento eta: θ ← θ − eta ∂J/∂θ con el "
            "eta con que se la llama.",
            targets=("gradient_step", "two_layer_net_hidden")),
    Mistake("backprop_numgrad_one_sided", "numerical_gradient uses a one-sided difference (f(x + h) − f(x))/h, whose error is O(h); use centered differences (f(x + h) − f(x − h))/(2h), error O(h²).",
            "numerical_gradient usa una diferencia de un solo lado (f(x + h) − f(x))/h, cuyo error es O(h); usa diferencias centradas (f(x + h) − f(x − h))/(2h), error O(h²).",
            targets=("numerical_gradient",)),
    Mistake("backprop_numgrad_not_restored", "numerical_gradient leaves x changed: put the original value of x[i] back after evaluating f(x + h e_i) and f(x − h e_i).",
            "numerical_gradient deja x modificado: restaura el valor original de x[i] tras evaluar f(x + h e_i) y f(x − h e_i).",
            targets=("numerical_gradient_restores_x",)),
    Mistake("backprop_numgrad_over_h", "numerical_gradient divides by h instead of 2h: the two points x ± h e_i are 2h apart.",
            "numerical_gradient divide entre h en lugar de 2h: los dos puntos x ± h e_i están a 2h de distancia.",
            targets=("numerical_gradient",)),
    Mistake("backprop_numgrad_all_at_once", "numerical_gradient moves every entry of x at once (x + h): that gives "
            "the derivative along the all-ones direction, the sum of the gradient, in every entry. Move one entry "
            "at a time: (f(x + h e_i) − f(x − h e_i))/(2h) for each index i.",
            "numerical_gradient mueve todas las entradas de x a la vez (x + h): eso da la derivada en la dirección "
            "de unos, la suma del gradiente, en cada entrada. Mueve una entrada cada vez: "
            "(f(x + h e_i) − f(x − h e_i))/(2h) para cada índice i.",
            targets=("numerical_gradient", "numerical_gradient_hidden")),
    Mistake("backprop_numgrad_rows", "numerical_gradient loops over the rows only (for i in range(len(x))): x[i] is a "
            "whole row, so each row gets the sum of its partial derivatives. Visit every entry, e.g. "
            "for i in np.ndindex(x.shape).",
            "numerical_gradient recorre solo las filas (for i in range(len(x))): x[i] es una fila entera, así que "
            "cada fila recibe la suma de sus derivadas parciales. Recorre cada entrada, p. ej. "
            "for i in np.ndindex(x.shape).",
            targets=("numerical_gradient", "numerical_gradient_hidden")),
)

CHECK_SIGMOID = "sigmoid_prime: fixtures"
CHECK_TANH = "tanh_prime: fixtures"
CHECK_RELU = "relu_prime: fixtures (0 at z = 0)"
CHECK_MSE = "mse_loss: fixtures"
CHECK_CE = "cross_entropy_loss: fixtures"
CHECK_BCE = "binary_cross_entropy_loss: fixtures"
CHECK_DELTA = "softmax_cross_entropy_delta: fixtures"
CHECK_MLP_FORWARD = "mlp_forward: fixtures"
CHECK_MLP = "mlp_backward: fixtures (with the caches of your mlp_forward)"
CHECK_MLP_GRAD = "mlp_backward: matches centered differences of your mlp_forward"
CHECK_NET = "TwoLayerNet.backward: fixtures"
CHECK_NET_INIT = "TwoLayerNet: construction (W1, b1, W2, b2: shapes, seed)"
CHECK_NET_FORWARD = "TwoLayerNet.forward: fixtures (z1, a1, z2, y)"
CHECK_NET_GRAD = "TwoLayerNet.backward: matches centered differences of your forward"
CHECK_STEP = "TwoLayerNet.gradient_step: θ − η·(your backward), in place"
CHECK_NUMGRAD = "numerical_gradient: centered differences of a known function"
CHECK_RESTORE = "numerical_gradient: x holds its original values after the call"

GRAD_TOL = 1e-6      # relative error of a gradient check
GRAD_FLOOR = 1e-3    # floor of the relative error's denominator, times the gradient's scale
GRAD_H = 1e-5        # step of the directional gradient checks
ROUNDING_FLOOR = 1e8 * np.finfo(np.float64).eps  # … times |J|/h: the other floor of their relative error
NUMGRAD_FLOOR = 0.1  # floor of numerical_gradient's relative error, times max|exact gradient|
RELU_MARGIN = 1e-3   # |z| of a ReLU pre-activation, at least, in the comparisons
RELU_MARGIN_GC = 1e-2  # … and in the gradient checks

DERIVATIVES = ("sigmoid_prime", "tanh_prime", "relu_prime")
LOSSES = ("mse_loss", "cross_entropy_loss", "binary_cross_entropy_loss", "softmax_cross_entropy_delta")
NET_PARAMS = ("W1", "b1", "W2", "b2")


# ------------------------------------------------------------------ the reference's values (no formula here)
def _reference(name):
    """The reference's function ``name``, for input generators (they run where the reference is)."""
    from ..reference_cases import reference

    return reference(name)


def forward_procedure(impl, inputs):
    """y and z(1), …, z(L) of an MLP; run on the reference only (its caches are (a_prev, z) pairs)."""
    y, caches = impl.call("mlp_forward", inputs["x"], inputs["params"], inputs["activations"])
    return {"y": y, **{f"z{k}": z for k, (_, z) in enumerate(caches, 1)}}


#: the reference's forward passes of the MLP gradient check's own draws (the public ones in the fixtures)
FORWARD_SPEC = CaseSpec("ex2.mlp_gradient_forward", None, forward_procedure, asked_by=CHECK_MLP_GRAD)


def _preactivations(x, params, activations):
    """[z(1), …, z(L)] and y of the MLP: the reference's (:func:`autograder.cases.reference_case`)."""
    out = reference_case(FORWARD_SPEC, {"x": x, "params": params, "activations": activations}).accepted["reference"]
    return [out[f"z{k}"] for k in range(1, len(params) + 1)], out["y"]


def _relu_clear(x, params, activations, margin):
    zs, _ = _preactivations(x, params, activations)
    return all(name != "relu" or np.min(np.abs(z)) >= margin for z, name in zip(zs, activations))


def _draw_mlp(rng, sizes, activations, m, margin=RELU_MARGIN):
    """x and params for an MLP whose ReLU pre-activations all stay at least ``margin`` away from 0."""
    while True:
        x = rng.standard_normal((sizes[0], m))
        params = [(rng.standard_normal((n, n_prev)) / np.sqrt(n_prev), 0.5 * rng.standard_normal((n, 1)))
                  for n_prev, n in zip(sizes[:-1], sizes[1:])]
        if _relu_clear(x, params, activations, margin):
            return x, params


def _one_hot(rng, n, m):
    labels = rng.integers(0, n, size=m)
    labels[: min(n, m)] = np.arange(min(n, m))  # every class appears
    return np.eye(n)[:, rng.permutation(labels)]


def _z_with_zeros(rng, shape, scale):
    z = scale * rng.standard_normal(shape)
    z.flat[rng.choice(z.size, size=max(2, z.size // 8), replace=False)] = 0.0
    return z


# ------------------------------------------------------------------ derivatives
def derivative_inputs(rng):
    return [
        {"z": _z_with_zeros(rng, (4, 6), 3.0), "_label": "z of shape (4, 6) with exact zeros"},
        {"z": rng.uniform(-12.0, 12.0, size=(3, 5)), "_label": "z of shape (3, 5), |z| up to 12"},
    ]


def sigmoid_prime_procedure(impl, inputs):
    return {"sigmoid_prime(z)": impl.call("sigmoid_prime", inputs["z"])}


def tanh_prime_procedure(impl, inputs):
    return {"tanh_prime(z)": impl.call("tanh_prime", inputs["z"])}


def relu_prime_procedure(impl, inputs):
    return {"relu_prime(z)": impl.call("relu_prime", inputs["z"])}


def derivatives_hidden_inputs(rng):
    cases = []
    for scale in (2.0, 6.0):
        shape = tuple(int(s) for s in rng.integers(3, 8, size=2))
        cases.append({"z": _z_with_zeros(rng, shape, scale), "_label": f"fresh z of shape {shape} with exact zeros"})
    return cases


def derivatives_procedure(impl, inputs):
    return {f"{name}(z)": impl.call(name, inputs["z"]) for name in DERIVATIVES}


# ------------------------------------------------------------------ the other activations' derivatives
def _with_alpha(cases, rng):
    """The cases with an ELU alpha other than 1: below 1 in the first, above in the second."""
    for case, (low, high) in zip(cases, ((0.2, 0.8), (1.2, 2.0))):
        case["alpha"] = float(np.round(rng.uniform(low, high), 2))
    return cases


def elu_prime_inputs(rng):
    return _with_alpha(derivative_inputs(rng), rng)


def elu_prime_hidden_inputs(rng):
    return _with_alpha(derivatives_hidden_inputs(rng), rng)


def _prime_procedure(name):
    def procedure(impl, inputs):
        return {f"{name}(z)": impl.call(name, inputs["z"])}

    return procedure


def elu_prime_procedure(impl, inputs):
    alpha = inputs["alpha"]
    return {"elu_prime(z)": impl.call("elu_prime", inputs["z"]),
            f"elu_prime(z, {alpha:g})": impl.call("elu_prime", inputs["z"], alpha)}


# ------------------------------------------------------------------ losses
def mse_inputs(rng):
    return [{"y": rng.standard_normal(s), "t": rng.standard_normal(s), "_label": f"y, t of shape {s}"}
            for s in ((2, 5), (1, 7))]


def cross_entropy_inputs(rng):
    return [{"y": _reference("softmax")(2.0 * rng.standard_normal((n, m))), "t": _one_hot(rng, n, m),
             "_label": f"softmax outputs y and one-hot t of shape {(n, m)}"} for n, m in ((4, 6), (3, 5))]


def binary_cross_entropy_inputs(rng):
    cases = []
    for shape in ((3, 6), (1, 8)):
        t_ = (rng.random(shape) < 0.5).astype(float)
        t_.flat[:2] = (0.0, 1.0)  # both classes appear
        cases.append({"y": _reference("sigmoid")(2.0 * rng.standard_normal(shape)), "t": t_,
                      "_label": f"y in (0, 1) and t in {{0, 1}} of shape {shape}"})
    return cases


def delta_inputs(rng):
    return [{"z": 2.0 * rng.standard_normal((n, m)), "t": _one_hot(rng, n, m),
             "_label": f"z and one-hot t of shape {(n, m)}"} for n, m in ((4, 6), (3, 5))]


def delta_large_inputs(rng):
    """|z| up to 1000: columns near +1000 and near −1000, one in [400, 405] (exp(z) is finite there but exp(z + max)
    overflows, so the two unstable mistakes differ), mixed columns and a moderate one; and one example alone.

    Every z is a multiple of 1/64, exact in float32: a submission that computes in float32 from the start then
    loses nothing to the rounding of z itself (at |z| ≈ 1000, z's float32 spacing is 6e-5, and that rounding
    alone brings (softmax − t)/m to half of float32's tolerance where the two nearly cancel; on exact inputs
    a float32 computation stays about 70 times below it)."""
    n, m = 4, 6
    z = np.empty((n, m))
    z[:, 0] = 1000.0 - rng.uniform(0.0, 4.0, n)
    z[np.argmax(z[:, 0]), 0] = 1000.0
    z[:, 1] = -1000.0 + rng.uniform(0.0, 4.0, n)
    z[:, 2] = rng.uniform(400.0, 405.0, n)
    z[:, 3] = rng.permutation([1000.0, -1000.0, 0.0, 999.0])
    z[:, 4] = rng.uniform(-1000.0, 1000.0, n)
    z[:, 5] = rng.normal(0.0, 2.0, n)
    col = np.array([[-1000.0], [998.0], [1000.0], [rng.normal(0.0, 2.0)]])
    z, col = np.round(z * 64.0) / 64.0, np.round(col * 64.0) / 64.0
    return [{"z": z, "t": _one_hot(rng, n, m), "_label": "z of shape (4, 6) with |z| up to 1000"},
            {"z": col, "t": _one_hot(rng, n, 1), "_label": "z of shape (4, 1): one example, |z| up to 1000"}]


def mse_procedure(impl, inputs):
    return {"mse_loss(y, t)": impl.call("mse_loss", inputs["y"], inputs["t"])}


def cross_entropy_procedure(impl, inputs):
    return {"cross_entropy_loss(y, t)": impl.call("cross_entropy_loss", inputs["y"], inputs["t"])}


def binary_cross_entropy_procedure(impl, inputs):
    return {"binary_cross_entropy_loss(y, t)": impl.call("binary_cross_entropy_loss", inputs["y"], inputs["t"])}


def delta_procedure(impl, inputs):
    return {"softmax_cross_entropy_delta(z, t)": impl.call("softmax_cross_entropy_delta", inputs["z"], inputs["t"])}


def losses_hidden_inputs(rng):
    n, m = (int(v) for v in rng.integers(2, 6, size=2))
    m += 3  # m from 5 to 8
    t_bin = (rng.random((n, m)) < 0.5).astype(float)
    t_bin.flat[:2] = (0.0, 1.0)
    return [{"y": rng.standard_normal((n, m)), "t": rng.standard_normal((n, m)),
             "y_soft": _reference("softmax")(2.0 * rng.standard_normal((n, m))), "t_hot": _one_hot(rng, n, m),
             "y_bin": _reference("sigmoid")(2.0 * rng.standard_normal((n, m))), "t_bin": t_bin,
             "z": 2.0 * rng.standard_normal((n, m)),
             "_label": f"fresh inputs of shape {(n, m)}"}]


def losses_procedure(impl, inputs):
    return {
        "mse_loss(y, t)": impl.call("mse_loss", inputs["y"], inputs["t"]),
        "cross_entropy_loss(y, t)": impl.call("cross_entropy_loss", inputs["y_soft"], inputs["t_hot"]),
        "binary_cross_entropy_loss(y, t)": impl.call("binary_cross_entropy_loss", inputs["y_bin"], inputs["t_bin"]),
        "softmax_cross_entropy_delta(z, t)": impl.call("softmax_cross_entropy_delta", inputs["z"], inputs["t_hot"]),
    }


# ------------------------------------------------------------------ MLP
Y_FORWARD = "y (from your mlp_forward)"

#: (sizes, activations, m) of the public MLP cases; the first has square layers only
MLP_CASES = (
    ((4, 4, 4), ("tanh", "sigmoid"), 5),
    ((4, 4, 4, 3), ("tanh", "relu", "sigmoid"), 5),
    ((3, 5, 2), ("sigmoid", "linear"), 4),
    ((5, 4, 2), ("relu", "tanh"), 6),
    ((3, 4, 3), ("tanh", "relu"), 5),
)


def _mlp_case(rng, sizes, activations, m, prefix=""):
    x, params = _draw_mlp(rng, sizes, activations, m)
    dy = rng.standard_normal((sizes[-1], m)) / m
    arch = "→".join(str(s) for s in sizes)
    return {"x": x, "params": params, "activations": list(activations), "dy": dy,
            "_label": f"{prefix}{len(activations)} layers {arch}, {'/'.join(activations)}, m = {m}"}


def mlp_inputs(rng):
    return [_mlp_case(rng, *case) for case in MLP_CASES]


def mlp_forward_inputs(rng):
    cases = [_mlp_case(rng, *case) for case in MLP_CASES[1:3]]
    cases.append(_mlp_case(rng, (4, 5, 3), ("relu", "softmax"), 6))
    for case in cases:
        del case["dy"]
    return cases


def mlp_forward_procedure(impl, inputs):
    out = impl.call("mlp_forward", inputs["x"], inputs["params"], inputs["activations"])
    return {"y": labelled(out, ("y", "caches"), "mlp_forward")["y"]}


#: the z at which the derivative functions a backward pass calls are recorded (context outputs, see
#: ``checks.CONTEXT``): exact zeros, both signs, small and large
PRIME_PROBE = np.array([[-2.0, -0.5, 0.0, 0.25], [0.0, 0.5, 1.5, 3.0]])
PRIME_OF = {"sigmoid": "sigmoid_prime", "tanh": "tanh_prime", "relu": "relu_prime"}


def prime_context(impl, activations) -> dict:
    """What the submission's derivative functions of ``activations`` return on :data:`PRIME_PROBE`, as context
    outputs (``"_relu_prime(probe)"``): never judged, they let a backward pass that is right given a wrong
    derivative of the student's own keep its points (one error scored once, by the derivative's checks), and
    a miss be traced to that derivative."""
    out = {}
    for activation in dict.fromkeys(activations):
        name = PRIME_OF.get(activation)
        if name in impl.names:
            try:
                out[f"{CONTEXT}{name}(probe)"] = impl.call(name, PRIME_PROBE)
            except StudentRaised:
                continue
    return out


def mlp_backward_procedure(impl, inputs):
    params = inputs["params"]
    out = labelled(impl.call("mlp_forward", inputs["x"], params, inputs["activations"]),
                    (Y_FORWARD, "caches"), "mlp_forward")
    result = {Y_FORWARD: out[Y_FORWARD], **prime_context(impl, inputs["activations"])}
    if "caches" not in out:
        return result
    grads = impl.call("mlp_backward", inputs["dy"], out["caches"], params, inputs["activations"])
    labels = [f"{p}{k}" for k in range(1, len(params) + 1) for p in ("dW", "db")]
    if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
        n = f" of length {len(grads)}" if isinstance(grads, (list, tuple)) else ""
        result[labels[0]] = Unsupported(f"a {type(grads).__name__}{n} from mlp_backward instead of a list of "
                                        f"{len(params)} pairs (dW, db)")
        return result
    for k, pair in enumerate(grads, 1):
        result.update(labelled(pair, (f"dW{k}", f"db{k}"), "mlp_backward"))
    return result


def mlp_hidden_inputs(rng):
    cases = []
    for activations in (("relu", "tanh", "sigmoid"), ("sigmoid", "relu"), ("tanh", "linear")):
        sizes = tuple(int(s) for s in rng.integers(2, 7, size=len(activations) + 1))
        cases.append(_mlp_case(rng, sizes, activations, int(rng.integers(3, 9)), prefix="fresh: "))
    n = int(rng.integers(3, 6))  # one case with square layers, drawn last and graded first: a W used
    # untransposed runs there (and is named), where the other cases stop at a shape error
    cases.insert(0, _mlp_case(rng, (n, n, n), ("sigmoid", "tanh"), int(rng.integers(3, 9)), prefix="fresh: "))
    return cases


# ------------------------------------------------------------------ TwoLayerNet
def _net_case(rng, n_in, n_hidden, n_out, m, prefix=""):
    return {"sizes": (n_in, n_hidden, n_out),
            "W1": rng.standard_normal((n_hidden, n_in)), "b1": rng.standard_normal((n_hidden, 1)),
            "W2": rng.standard_normal((n_out, n_hidden)), "b2": rng.standard_normal((n_out, 1)),
            "x": rng.standard_normal((n_in, m)), "t": rng.standard_normal((n_out, m)),
            "eta": float(rng.uniform(0.05, 0.5)),
            "_label": f"{prefix}n_in = {n_in}, n_hidden = {n_hidden}, n_out = {n_out}, m = {m}"}


def net_inputs(rng):
    return [_net_case(rng, 3, 4, 2, 5), _net_case(rng, 2, 3, 1, 6)]


def net_hidden_inputs(rng):
    return [_net_case(rng, *(int(v) for v in rng.integers(2, 6, size=3)), int(rng.integers(3, 9)), prefix="fresh: ")
            for _ in range(2)]


def _new_net(impl, inputs):
    net = impl.new("TwoLayerNet", *inputs["sizes"], 0)
    for name in NET_PARAMS:
        impl.setattr(net, name, inputs[name])
    return net


GRAD_LABELS = tuple(f"d{p}" for p in NET_PARAMS)


def net_forward_inputs(rng):
    cases = [_net_case(rng, 3, 4, 2, 5), _net_case(rng, 2, 5, 1, 1), _net_case(rng, 4, 3, 3, 6)]
    for case in cases:
        del case["t"], case["eta"]
    return cases


def net_forward_hidden_inputs(rng):
    cases = []
    for m in (int(rng.integers(3, 9)), 1):
        case = _net_case(rng, *(int(v) for v in rng.integers(2, 6, size=3)), m, prefix="fresh: ")
        del case["t"], case["eta"]
        cases.append(case)
    return cases


def net_forward_outputs_procedure(impl, inputs):
    """The four outputs of the submission's forward, on the parameters the grader assigns."""
    out = impl.method(_new_net(impl, inputs), "forward", inputs["x"])
    return labelled(out, ("z1", "a1", "z2", "y"), "TwoLayerNet.forward")


def net_backward_procedure(impl, inputs):
    net = _new_net(impl, inputs)
    return {**labelled(impl.method(net, "backward", inputs["x"], inputs["t"]), GRAD_LABELS, "backward"),
            **prime_context(impl, ("sigmoid",))}


def net_forward_procedure(impl, inputs):
    return {"y": impl.method(_new_net(impl, inputs), "forward", inputs["x"])[3]}


def net_hidden_procedure(impl, inputs):
    out = net_backward_procedure(impl, inputs)
    net = _new_net(impl, inputs)
    impl.method(net, "gradient_step", inputs["x"], inputs["t"], inputs["eta"])
    for name in NET_PARAMS:
        out[f"{name} after gradient_step"] = impl.getattr(net, name)
    return out


# ------------------------------------------------------------------ specs
SIGMOID_MISTAKES = ("backprop_sigmoid_prime_of_a", "backprop_sigmoid_prime_no_one_minus")
TANH_MISTAKES = ("backprop_tanh_prime_of_a", "backprop_tanh_prime_not_squared")
RELU_MISTAKES = ("backprop_relu_prime_at_zero", "backprop_relu_prime_is_relu")
MSE_MISTAKES = ("backprop_mse_sum", "backprop_mse_no_half", "backprop_mse_mean_entries", "backprop_mse_rows")
CE_MISTAKES = ("backprop_ce_sum", "backprop_ce_binary_terms", "backprop_ce_no_minus", "backprop_ce_mean_entries")
BCE_MISTAKES = ("backprop_bce_missing_term", "backprop_bce_mean_entries", "backprop_bce_sum", "backprop_bce_no_minus")
DELTA_MISTAKES = ("backprop_delta_no_m", "backprop_delta_softmax_axis1", "backprop_delta_no_softmax",
                  "backprop_delta_sign", "backprop_delta_rows")
SOFTPLUS_PRIME_MISTAKES = ("backprop_softplus_prime_is_softplus", "backprop_softplus_prime_sign",
                           "backprop_softplus_prime_sigmoid_prime")
ELU_PRIME_MISTAKES = ("backprop_elu_prime_is_elu", "backprop_elu_prime_zero_negative", "backprop_elu_prime_fixed_alpha",
                      "backprop_elu_prime_one_at_zero")
SELU_PRIME_MISTAKES = ("backprop_selu_prime_no_lambda", "backprop_selu_prime_lambda_positive_only",
                       "backprop_selu_prime_is_selu", "backprop_selu_prime_at_zero")
SWISH_PRIME_MISTAKES = ("backprop_swish_prime_no_sigmoid_term", "backprop_swish_prime_no_z_term",
                        "backprop_swish_prime_no_z_factor")
GELU_PRIME_MISTAKES = ("backprop_gelu_prime_cdf_only", "backprop_gelu_prime_pdf_only",
                       "backprop_gelu_prime_pdf_unnormalised")
#: the other activations' derivatives (docs/contract-activations.md): name -> (public spec, hidden spec)
OTHER_PRIMES = {
    "softplus_prime": (CaseSpec("ex2.softplus_prime", derivative_inputs, _prime_procedure("softplus_prime"),
                                mistakes=SOFTPLUS_PRIME_MISTAKES),
                       CaseSpec("ex2.softplus_prime_hidden", derivatives_hidden_inputs,
                                _prime_procedure("softplus_prime"), mistakes=SOFTPLUS_PRIME_MISTAKES)),
    "elu_prime": (CaseSpec("ex2.elu_prime", elu_prime_inputs, elu_prime_procedure, mistakes=ELU_PRIME_MISTAKES),
                  CaseSpec("ex2.elu_prime_hidden", elu_prime_hidden_inputs, elu_prime_procedure,
                           mistakes=ELU_PRIME_MISTAKES)),
    "selu_prime": (CaseSpec("ex2.selu_prime", derivative_inputs, _prime_procedure("selu_prime"),
                            mistakes=SELU_PRIME_MISTAKES),
                   CaseSpec("ex2.selu_prime_hidden", derivatives_hidden_inputs, _prime_procedure("selu_prime"),
                            mistakes=SELU_PRIME_MISTAKES)),
    "swish_prime": (CaseSpec("ex2.swish_prime", derivative_inputs, _prime_procedure("swish_prime"),
                             mistakes=SWISH_PRIME_MISTAKES),
                    CaseSpec("ex2.swish_prime_hidden", derivatives_hidden_inputs, _prime_procedure("swish_prime"),
                             mistakes=SWISH_PRIME_MISTAKES)),
    "gelu_prime": (CaseSpec("ex2.gelu_prime", derivative_inputs, _prime_procedure("gelu_prime"),
                            mistakes=GELU_PRIME_MISTAKES),
                   CaseSpec("ex2.gelu_prime_hidden", derivatives_hidden_inputs, _prime_procedure("gelu_prime"),
                            mistakes=GELU_PRIME_MISTAKES)),
}
SIGMOID_SPEC = CaseSpec("ex2.sigmoid_prime", derivative_inputs, sigmoid_prime_procedure, mistakes=SIGMOID_MISTAKES)
TANH_SPEC = CaseSpec("ex2.tanh_prime", derivative_inputs, tanh_prime_procedure, mistakes=TANH_MISTAKES)
RELU_SPEC = CaseSpec("ex2.relu_prime", derivative_inputs, relu_prime_procedure, mistakes=RELU_MISTAKES)
MSE_SPEC = CaseSpec("ex2.mse_loss", mse_inputs, mse_procedure, mistakes=MSE_MISTAKES)
CE_SPEC = CaseSpec("ex2.cross_entropy_loss", cross_entropy_inputs, cross_entropy_procedure, mistakes=CE_MISTAKES)
BCE_SPEC = CaseSpec("ex2.binary_cross_entropy_loss", binary_cross_entropy_inputs, binary_cross_entropy_procedure,
                    mistakes=BCE_MISTAKES)
DELTA_SPEC = CaseSpec("ex2.softmax_cross_entropy_delta", delta_inputs, delta_procedure, mistakes=DELTA_MISTAKES)
DELTA_MISTAKES_LARGE = ("backprop_delta_max_added", "backprop_delta_unstable", "backprop_delta_global_max") \
    + DELTA_MISTAKES
DELTA_LARGE_SPEC = CaseSpec("ex2.softmax_cross_entropy_delta_large", delta_large_inputs, delta_procedure,
                            mistakes=DELTA_MISTAKES_LARGE)
MLP_FORWARD_SPEC = CaseSpec("ex2.mlp_forward", mlp_forward_inputs, mlp_forward_procedure)
MLP_MISTAKES = ("backprop_mlp_transposed_dW", "backprop_mlp_db_mean", "backprop_mlp_db_not_summed",
                "backprop_mlp_no_last_fprime", "backprop_mlp_W_not_transposed", "backprop_mlp_fprime_of_a",
                "backprop_mlp_extra_m", "backprop_mlp_db_axis0", "backprop_mlp_not_reversed")
#: a wrong derivative of the student's own, called by a right mlp_backward (or TwoLayerNet.backward): those
#: checks keep their points (checks.correct_given_upstream), the derivative's own checks score the error
MLP_SPEC_MISTAKES = MLP_MISTAKES + RELU_MISTAKES + SIGMOID_MISTAKES + TANH_MISTAKES
MLP_SPEC = CaseSpec("ex2.mlp_backward", mlp_inputs, mlp_backward_procedure, mistakes=MLP_SPEC_MISTAKES)
NET_BACKWARD_MISTAKES = ("backprop_net_no_m", "backprop_net_no_sigmoid_prime", "backprop_net_sigmoid_prime_of_a",
                         "backprop_net_db_mean", "backprop_net_sign") + SIGMOID_MISTAKES
NET_SPEC = CaseSpec("ex2.two_layer_net_backward", net_inputs, net_backward_procedure, mistakes=NET_BACKWARD_MISTAKES)
NET_FORWARD_MISTAKES = ("backprop_net_z1_sign", "backprop_net_z2_sign")
NET_FORWARD_OUTPUTS_SPEC = CaseSpec("ex2.two_layer_net_forward", net_forward_inputs, net_forward_outputs_procedure,
                                    mistakes=NET_FORWARD_MISTAKES)
#: the reference's forward of the TwoLayerNet gradient check's own draws
NET_FORWARD_SPEC = CaseSpec("ex2.two_layer_net_gradient_forward", None, net_forward_procedure, asked_by=CHECK_NET_GRAD)
#: the reference's and the known mistakes' gradients on the gradient checks' own draws, to name a mistake there
MLP_GRAD_SPEC = CaseSpec("ex2.mlp_gradient_backward", None, mlp_backward_procedure, mistakes=MLP_SPEC_MISTAKES,
                         asked_by=CHECK_MLP_GRAD)
NET_GRAD_SPEC = CaseSpec("ex2.two_layer_net_gradient_backward", None, net_backward_procedure,
                         mistakes=NET_BACKWARD_MISTAKES, asked_by=CHECK_NET_GRAD)

# hidden only (fresh inputs, never in the fixtures)
DERIVATIVES_HIDDEN_SPEC = CaseSpec("ex2.derivatives_hidden", derivatives_hidden_inputs, derivatives_procedure,
                                   mistakes=RELU_MISTAKES + SIGMOID_MISTAKES + TANH_MISTAKES)
LOSSES_HIDDEN_SPEC = CaseSpec("ex2.losses_hidden", losses_hidden_inputs, losses_procedure,
                              mistakes=MSE_MISTAKES + CE_MISTAKES + BCE_MISTAKES + DELTA_MISTAKES)
MLP_HIDDEN_SPEC = CaseSpec("ex2.mlp_backward_hidden", mlp_hidden_inputs, mlp_backward_procedure,
                          mistakes=MLP_SPEC_MISTAKES)
NET_HIDDEN_SPEC = CaseSpec("ex2.two_layer_net_hidden", net_hidden_inputs, net_hidden_procedure,
                           mistakes=NET_BACKWARD_MISTAKES + ("backprop_net_ascent", "backprop_net_step_weights_only",
                                                             "backprop_net_step_fixed_eta"))
NET_FORWARD_HIDDEN_SPEC = CaseSpec("ex2.two_layer_net_forward_hidden", net_forward_hidden_inputs,
                                   net_forward_outputs_procedure, mistakes=NET_FORWARD_MISTAKES)

SPECS = [SIGMOID_SPEC, TANH_SPEC, RELU_SPEC, MSE_SPEC, CE_SPEC, BCE_SPEC, DELTA_SPEC,
         MLP_FORWARD_SPEC, MLP_SPEC, NET_SPEC, FORWARD_SPEC, NET_FORWARD_SPEC, DELTA_LARGE_SPEC,
         NET_FORWARD_OUTPUTS_SPEC, MLP_GRAD_SPEC, NET_GRAD_SPEC] + [public for public, _ in OTHER_PRIMES.values()]


# ------------------------------------------------------------------ gradient checks (the student's own functions)
def _rel(analytic, numeric, scale, cost=0.0):
    """Relative error of a directional derivative; the floor of the denominator is the larger of
    GRAD_FLOOR·‖gradient‖ and ROUNDING_FLOOR·|J|/h (centered differences carry a rounding error of
    about ε|J|/h, so that error alone stays near 1e-8 of the floor)."""
    floor = max(GRAD_FLOOR * scale, ROUNDING_FLOOR * abs(cost) / GRAD_H, 1e-300)
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), floor)


def _unit(rng, shape):
    d = rng.standard_normal(shape)
    return d / np.linalg.norm(d)


def _quadratic(y, target):
    """The quadratic cost (1/m) Σ ½‖y − t‖², computed here."""
    return 0.5 * float(np.sum((y - target) ** 2)) / target.shape[1]


def _as_array(ctx, value, shape, what, transposed_mistake=None, unsummed_mistake=None):
    arr, _ = as_float_array(value)
    if arr is not None and arr.shape == shape:
        return arr
    if arr is None:
        got = ctx.text(Text("something that is not an array of numbers", "algo que no es un array de números"))
    else:
        got = str(arr.shape)
    message = ctx.text(Text("{what} should have shape {shape}; got {got}.",
                            "{what} debería tener forma {shape}; se obtuvo {got}."), what=what, shape=shape, got=got)
    if arr is not None and transposed_mistake and arr.shape == shape[::-1] and shape[0] != shape[1]:
        message += ctx.mistake(transposed_mistake)
    elif arr is not None and unsummed_mistake and arr.ndim == 2 and arr.shape[0] == shape[0] and arr.shape[1] > 1:
        message += ctx.mistake(unsummed_mistake)
    raise Fail(message)


def _directional_message(ctx, what, analytic, numeric, rel, where, context=""):
    return ctx.text(Text(
        "{what}{context}: along a random unit direction D, ⟨{what}, D⟩ = {a:.8g} from your gradient, but centered "
        "differences (J(P + hD) − J(P − hD))/(2h) of {where} give {n:.8g} (relative error {rel:.2g}, tolerance {tol:g}).",
        "{what}{context}: a lo largo de una dirección unitaria aleatoria D, ⟨{what}, D⟩ = {a:.8g} según tu gradiente, pero las "
        "diferencias centradas (J(P + hD) − J(P − hD))/(2h) de {where} dan {n:.8g} (error relativo {rel:.2g}, tolerancia {tol:g})."),
        what=what, context=context, a=analytic, n=numeric, rel=rel, tol=GRAD_TOL, where=where)


#: (sizes, activations, m) of the MLP gradient checks
#: the first has square layers only, so that a W used untransposed runs (and is named) rather than stopping at a
#: shape error in the submission's code
GC_ARCHS = (((4, 4, 4, 4), ("tanh", "relu", "sigmoid"), 6), ((3, 4, 2), ("sigmoid", "relu"), 5),
            ((3, 4, 2), ("relu", "linear"), 4))


def _named_by_variants(ctx, case, got: dict):
    """The known mistake whose outputs on ``case`` (the reference's variants) match every output in ``got``
    (label -> the submission's value), as ``ctx.mistake``; "" when none does."""
    for mistake_id, outputs in case.variants.items():
        if mistake_id in ctx.mistakes and got and all(
                label in outputs and compare(value, outputs[label]) is None for label, value in got.items()):
            return ctx.mistake(mistake_id)
    return ""


def _with_mistake(fail: Fail, named):
    """``fail`` again, with ``named`` added when its message names no mistake yet."""
    message = fail.message
    if named and not getattr(message, "mistakes", ()):
        return Fail(message + named)
    return fail


def check_mlp_gradient(ctx):
    where = ctx.text(Text("your mlp_forward with the quadratic cost J = (1/m) Σ ½‖y − t‖²",
                          "tu mlp_forward con el coste cuadrático J = (1/m) Σ ½‖y − t‖²"))
    note = None
    for sizes, activations, m in GC_ARCHS:
        activations = list(activations)
        x, params = _draw_mlp(ctx.rng, sizes, activations, m, margin=RELU_MARGIN_GC)
        target = ctx.rng.standard_normal((sizes[-1], m))
        arch = f"{'→'.join(map(str, sizes))}, {'/'.join(activations)}"

        def forward_y(ps):
            return labelled(ctx.impl.call("mlp_forward", x, ps, activations), ("y", "caches"), "mlp_forward")

        out = forward_y(params)
        _, y_expected = _preactivations(x, params, activations)
        # the reference's and the known mistakes' gradients on these draws (asked always, so that the public
        # fixture holds them), to name a mistake when the gradients disagree
        case = reference_case(MLP_GRAD_SPEC, {"x": x, "params": params, "activations": activations,
                                              "dy": (y_expected - target) / m})
        mismatch = compare(out["y"], y_expected)
        if mismatch is not None:
            raise Fail(t("depends", ctx.lang, other="mlp_forward", detail=mismatch.describe(f"y [{arch}]", ctx.lang)))
        y = np.asarray(out["y"], dtype=np.float64)
        grads = ctx.impl.call("mlp_backward", (y - target) / m, out["caches"], params, activations)
        if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
            raise Fail(ctx.text(Text("mlp_backward should return a list of {n} pairs (dW, db), one per layer; got {got}.",
                                     "mlp_backward debería devolver una lista de {n} pares (dW, db), uno por capa; se obtuvo {got}."),
                                n=len(params), got=type(grads).__name__))
        for k, pair in enumerate(grads, 1):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise Fail(ctx.text(Text("mlp_backward: element {k} should be a pair (dW{k}, db{k}).",
                                         "mlp_backward: el elemento {k} debería ser un par (dW{k}, db{k})."), k=k))
        got = {f"{p}{k}": pair[j] for k, pair in enumerate(grads, 1) for j, p in enumerate(("dW", "db"))}
        # right given a wrong derivative of the student's own (scored by its checks): keeps its points (the
        # directions are still drawn, so that the next architecture's inputs are the ones the reference's run drew)
        kept = correct_given_upstream(ctx, ctx.check.id, {Y_FORWARD: out["y"], **prime_context(ctx.impl, activations),
                                                          **got}, case, {}, None)
        note = note or kept
        named = _named_by_variants(ctx, case, got)
        for k, ((W, b), pair) in enumerate(zip(params, grads), 1):
            for j, (P, g_raw, label) in enumerate(((W, pair[0], f"dW{k}"), (b, pair[1], f"db{k}"))):
                try:
                    g = _as_array(ctx, g_raw, P.shape, f"{label} [{arch}]",
                                  *(("backprop_mlp_transposed_dW", None) if j == 0
                                    else (None, "backprop_mlp_db_not_summed")))
                except Fail as fail:
                    raise _with_mistake(fail, named) from None
                for _ in range(2):
                    u = _unit(ctx.rng, P.shape)
                    losses = []
                    for sign in (1.0, -1.0):
                        moved = [list(p) for p in params]
                        moved[k - 1][j] = P + sign * GRAD_H * u
                        y_moved = np.asarray(forward_y([tuple(p) for p in moved])["y"], dtype=np.float64)
                        losses.append(_quadratic(y_moved, target))
                    numeric = (losses[0] - losses[1]) / (2 * GRAD_H)
                    analytic = float(np.sum(g * u))
                    rel = _rel(analytic, numeric, np.linalg.norm(g), max(map(abs, losses)))
                    if not rel < GRAD_TOL and kept is None:
                        raise Fail(_directional_message(ctx, label, analytic, numeric, rel, where, f" [{arch}]")
                                   + named)
    return note


def _net_forward_y(ctx, net, x):
    out = ctx.impl.method(net, "forward", x)
    if not isinstance(out, (tuple, list)) or len(out) != 4:
        raise Fail(t("depends", ctx.lang, other="TwoLayerNet.forward",
                     detail=ctx.text(Text("it should return (z1, a1, z2, y)", "debería devolver (z1, a1, z2, y)"))))
    return out[3]


def _net_setup(ctx, n_in, n_hidden, n_out, m):
    values = {"W1": ctx.rng.standard_normal((n_hidden, n_in)), "b1": ctx.rng.standard_normal((n_hidden, 1)),
              "W2": ctx.rng.standard_normal((n_out, n_hidden)), "b2": ctx.rng.standard_normal((n_out, 1))}
    x = ctx.rng.standard_normal((n_in, m))
    target = ctx.rng.standard_normal((n_out, m))
    net = ctx.impl.new("TwoLayerNet", n_in, n_hidden, n_out, 0)
    for name, value in values.items():
        ctx.impl.setattr(net, name, value)
    return net, values, x, target


def _net_grads(ctx, net, values, x, target):
    grads = ctx.impl.method(net, "backward", x, target)
    if not isinstance(grads, (tuple, list)) or len(grads) != 4:
        raise Fail(ctx.text(Text("backward should return (dW1, db1, dW2, db2); got {got}.",
                                 "backward debería devolver (dW1, db1, dW2, db2); se obtuvo {got}."),
                            got=type(grads).__name__))
    return {name: _as_array(ctx, g, values[name].shape, f"d{name}") for name, g in zip(NET_PARAMS, grads)}


def check_net_gradient(ctx):
    n_in, n_hidden, n_out, m = 3, 5, 2, 6
    net, values, x, target = _net_setup(ctx, n_in, n_hidden, n_out, m)
    y = _net_forward_y(ctx, net, x)
    y_expected = reference_case(NET_FORWARD_SPEC, {"sizes": (n_in, n_hidden, n_out), **values, "x": x}) \
        .accepted["reference"]["y"]
    mismatch = compare(y, y_expected)
    # the reference's and the known mistakes' gradients on these draws (asked always: the public fixture holds them)
    case = reference_case(NET_GRAD_SPEC, {"sizes": (n_in, n_hidden, n_out), **values, "x": x, "t": target})
    if mismatch is not None:
        raise Fail(t("depends", ctx.lang, other="TwoLayerNet.forward", detail=mismatch.describe("y", ctx.lang)))
    grads = _net_grads(ctx, net, values, x, target)
    # right given a wrong sigmoid_prime of the student's own (scored by its checks): keeps its points
    kept = correct_given_upstream(ctx, ctx.check.id, {**{f"d{name}": grads[name] for name in NET_PARAMS},
                                                      **prime_context(ctx.impl, ("sigmoid",))}, case, {}, None)
    if kept is not None:
        return kept
    where = ctx.text(Text("mse_loss of your forward", "mse_loss de tu forward"))
    seen, failure = [], None
    for name in NET_PARAMS:
        g = grads[name]
        for _ in range(2):
            u = _unit(ctx.rng, g.shape)
            losses = []
            for sign in (1.0, -1.0):
                ctx.impl.setattr(net, name, values[name] + sign * GRAD_H * u)
                losses.append(_quadratic(np.asarray(_net_forward_y(ctx, net, x), dtype=np.float64), target))
            ctx.impl.setattr(net, name, values[name])
            numeric = (losses[0] - losses[1]) / (2 * GRAD_H)
            analytic = float(np.sum(g * u))
            seen.append((analytic, numeric))
            rel = _rel(analytic, numeric, np.linalg.norm(g), max(map(abs, losses)))
            if failure is None and not rel < GRAD_TOL:
                failure = (f"d{name}", analytic, numeric, rel)
    if failure is None:
        return None
    message = _directional_message(ctx, *failure, where)
    named = _named_by_variants(ctx, case, {f"d{name}": grads[name] for name in NET_PARAMS})
    if named:
        message += named
    elif all(_rel(a, m * n, abs(a)) < 10 * GRAD_TOL for a, n in seen):  # every gradient m times too large
        message += ctx.mistake("backprop_net_no_m")
    raise Fail(message)


#: ex2's constructor mistakes (autograder/net_checks.py holds the check, shared with ex1)
check_net_init = construction_check(NetMistakes(
    missing="backprop_net_init_missing", bias_shape="backprop_net_bias_shape",
    transposed="backprop_net_weights_transposed", constant="backprop_net_zero_weights",
    unseeded="backprop_net_unseeded"))


def _fixed_rate(after, values, grads, eta):
    """The rate c ≠ eta (c > 0) of a step θ − c·∂J/∂θ that every parameter took, or None."""
    steps = {p: np.asarray(after[p], dtype=np.float64) - values[p] for p in NET_PARAMS}
    g = grads["W1"]
    if steps["W1"].shape != g.shape or not np.any(g):
        return None
    c = -float(np.sum(steps["W1"] * g) / np.sum(g * g))
    if not c > 0 or abs(c - eta) <= 1e-6 * eta:
        return None
    if all(compare(after[p], values[p] - c * grads[p]) is None for p in NET_PARAMS):
        return c
    return None


def check_gradient_step(ctx):
    net, values, x, target = _net_setup(ctx, 3, 4, 2, 5)
    grads = _net_grads(ctx, net, values, x, target)
    eta = 0.3
    ctx.impl.method(net, "gradient_step", x, target, eta)
    after = {name: ctx.impl.getattr(net, name) for name in NET_PARAMS}
    for name in NET_PARAMS:
        expected = values[name] - eta * grads[name]
        mismatch = compare(after[name], expected)
        if mismatch is None:
            continue
        message = mismatch.describe(ctx.text(Text("{name} after gradient_step(x, t, η = {eta})",
                                                  "{name} tras gradient_step(x, t, η = {eta})"), name=name, eta=eta),
                                    ctx.lang)
        if all(compare(after[p], values[p] + eta * grads[p]) is None for p in NET_PARAMS):
            message += ctx.mistake("backprop_net_ascent")
        elif all(compare(after[p], values[p] - (eta if p.startswith("W") else 0.0) * grads[p]) is None
                 for p in NET_PARAMS):
            message += ctx.mistake("backprop_net_step_weights_only")
        elif _fixed_rate(after, values, grads, eta) is not None:
            message += ctx.mistake("backprop_net_step_fixed_eta")
        elif all(compare(after[p], values[p]) is None for p in NET_PARAMS):
            message += ctx.text(Text(" The parameters did not change: assign the new arrays to self.W1, self.b1, … "
                                     "(or update them in place).",
                                     " Los parámetros no cambiaron: asigna los nuevos arrays a self.W1, self.b1, … "
                                     "(o actualízalos en el sitio)."))
        raise Fail(message)
    return None


# ------------------------------------------------------------------ numerical_gradient
def _numgrad_inputs(rng, shape):
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    params = {"a": sign * rng.uniform(1.0, 2.0, shape), "b": rng.uniform(1.0, 2.0, shape)}
    x = rng.uniform(0.5, 2.5, shape) * np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return params, x


def _one_sided(params, x, h, direction):
    f = catalog.build("sin_quadratic", params)
    out = np.empty(x.size)
    f0 = f(x)
    for i in range(x.size):
        moved = x.copy().reshape(-1)
        moved[i] += direction * h
        out[i] = direction * (f(moved.reshape(x.shape)) - f0) / h
    return out.reshape(x.shape)


def _numgrad_call(ctx, params, x, h):
    args = (x,) if h is None else (x, h)
    got, after = ctx.impl.call("numerical_gradient", CatalogFunction("sin_quadratic", **params), *args,
                               return_args=True)
    return got, after[1] if len(after) > 1 else None


def _assert_numgrad(ctx, params, x, got, h):
    exact = catalog.gradient("sin_quadratic", params, x)
    what = ctx.text(Text("numerical_gradient(f, x{h}) with f(x) = Σ a⊙sin(x) + ½ Σ b⊙x²",
                         "numerical_gradient(f, x{h}) con f(x) = Σ a⊙sin(x) + ½ Σ b⊙x²"),
                    h="" if h is None else f", h={h:g}")
    arr, _ = as_float_array(got)
    if arr is None or arr.shape != x.shape:
        raise Fail(ctx.text(Text("{what}: expected an array of shape {shape} (like x); got {got}.",
                                 "{what}: se esperaba un array de forma {shape} (como x); se obtuvo {got}."),
                            what=what, shape=x.shape, got="None" if arr is None else f"shape {arr.shape}"))
    floor = NUMGRAD_FLOOR * float(np.max(np.abs(exact)))

    def rel(a, b):
        return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)

    errors = rel(arr, exact)
    if np.all(errors < GRAD_TOL):
        return
    i = int(np.nanargmax(np.where(np.isnan(errors), np.inf, errors)))
    index = tuple(int(v) for v in np.unravel_index(i, x.shape))
    message = ctx.text(Text(
        "{what}: the exact gradient is a⊙cos(x) + b⊙x; at index {index} it is {e:.10g}, got {g:.10g} "
        "(max relative error {rel:.2g}; centered differences reach about 1e-9).",
        "{what}: el gradiente exacto es a⊙cos(x) + b⊙x; en el índice {index} vale {e:.10g} y se obtuvo {g:.10g} "
        "(error relativo máx. {rel:.2g}; las diferencias centradas llegan a 1e-9 aproximadamente)."),
        what=what, index=index, e=exact.flat[i], g=arr.flat[i], rel=float(errors.flat[i]))
    step = GRAD_H if h is None else h
    if any(np.all(rel(arr, _one_sided(params, x, step, d)) < 1e-7) for d in (1.0, -1.0)):
        message += ctx.mistake("backprop_numgrad_one_sided")
    elif np.all(rel(arr, 2.0 * exact) < 1e-6):
        message += ctx.mistake("backprop_numgrad_over_h")
    elif np.all(rel(arr, np.full(x.shape, exact.sum())) < 1e-5):
        message += ctx.mistake("backprop_numgrad_all_at_once")
    elif np.all(rel(arr, np.broadcast_to(exact.sum(axis=1, keepdims=True), x.shape)) < 1e-5):
        message += ctx.mistake("backprop_numgrad_rows")
    raise Fail(message)


def _assert_restored(ctx, x, after):
    arr, _ = as_float_array(after)
    if arr is not None and arr.shape == x.shape and np.array_equal(arr, x):
        return
    if arr is None or arr.shape != x.shape:
        detail = ctx.text(Text("x was replaced by something of another shape",
                               "x se sustituyó por algo de otra forma"))
    else:
        i = int(np.flatnonzero(arr != x)[0])
        detail = ctx.text(Text("{count} of {size} values changed; at index {index} x was {old!r}, now {new!r}",
                               "cambiaron {count} de {size} valores; en el índice {index} x valía {old!r} y ahora {new!r}"),
                          count=int(np.count_nonzero(arr != x)), size=x.size,
                          index=tuple(int(v) for v in np.unravel_index(i, x.shape)),
                          old=float(x.flat[i]), new=float(arr.flat[i]))
    raise Fail(ctx.text(Text("numerical_gradient changed its argument x: {detail}.",
                             "numerical_gradient modificó su argumento x: {detail}."), detail=detail)
               + ctx.mistake("backprop_numgrad_not_restored"))


PUBLIC_H = 1e-4  # larger than the default: centered differences stay at ~1e-9, one-sided ones drift to ~1e-5


def check_numgrad(ctx):
    for shape in ((3, 4), (2, 5)):
        params, x = _numgrad_inputs(ctx.rng, shape)
        got, _ = _numgrad_call(ctx, params, x, PUBLIC_H)
        _assert_numgrad(ctx, params, x, got, PUBLIC_H)


def check_numgrad_restores(ctx):
    params, x = _numgrad_inputs(ctx.rng, (3, 4))
    _, after = _numgrad_call(ctx, params, x, PUBLIC_H)
    _assert_restored(ctx, x, after)


def check_numgrad_hidden(ctx):
    shape = tuple(int(s) for s in ctx.rng.integers(2, 7, size=2))
    params, x = _numgrad_inputs(ctx.rng, shape)
    got, after = _numgrad_call(ctx, params, x, None)  # the default h
    _assert_numgrad(ctx, params, x, got, None)
    _assert_restored(ctx, x, after)
    params, x = _numgrad_inputs(ctx.rng, shape[::-1])
    got, after = _numgrad_call(ctx, params, x, PUBLIC_H)
    _assert_numgrad(ctx, params, x, got, PUBLIC_H)
    _assert_restored(ctx, x, after)


# ------------------------------------------------------------------ the checks
_MLP = ("mlp_forward", "mlp_backward")
_DEPENDS = {Y_FORWARD: "mlp_forward"}

_OTHER = "other_derivatives"

CHECKS = [
    # derivatives (public 1.5, hidden 0.5)
    compare_check(CHECK_SIGMOID, SIGMOID_SPEC, 0.5, ("sigmoid_prime",), cell="derivatives",
                  id="sigmoid_prime", title_es="sigmoid_prime: casos públicos"),
    compare_check(CHECK_TANH, TANH_SPEC, 0.5, ("tanh_prime",), cell="derivatives",
                  id="tanh_prime", title_es="tanh_prime: casos públicos"),
    compare_check(CHECK_RELU, RELU_SPEC, 0.5, ("relu_prime",), cell="derivatives",
                  id="relu_prime", title_es="relu_prime: casos públicos (0 en z = 0)"),
    compare_check("derivatives (hidden): fresh inputs", DERIVATIVES_HIDDEN_SPEC, 0.5, DERIVATIVES,
                  hidden=True, cell="derivatives", id="derivatives_hidden", title_es="derivadas (oculta): entradas nuevas"),
    # the other activations' derivatives (public 1.25, hidden 1.25): docs/contract-activations.md
    compare_check("softplus_prime: fixtures", OTHER_PRIMES["softplus_prime"][0], 0.25, ("softplus_prime",),
                  cell=_OTHER, id="softplus_prime", title_es="softplus_prime: casos públicos"),
    compare_check("elu_prime: fixtures (default and given alpha, alpha at z = 0)", OTHER_PRIMES["elu_prime"][0], 0.25,
                  ("elu_prime",), cell=_OTHER, id="elu_prime",
                  title_es="elu_prime: casos públicos (alpha por defecto y dado, alpha en z = 0)"),
    compare_check("selu_prime: fixtures (λα at z = 0)", OTHER_PRIMES["selu_prime"][0], 0.25, ("selu_prime",),
                  cell=_OTHER, id="selu_prime", title_es="selu_prime: casos públicos (λα en z = 0)"),
    compare_check("swish_prime: fixtures", OTHER_PRIMES["swish_prime"][0], 0.25, ("swish_prime",),
                  cell=_OTHER, id="swish_prime", title_es="swish_prime: casos públicos"),
    compare_check("gelu_prime: fixtures", OTHER_PRIMES["gelu_prime"][0], 0.25, ("gelu_prime",),
                  cell=_OTHER, id="gelu_prime", title_es="gelu_prime: casos públicos"),
    *(compare_check(f"{name} (hidden): fresh inputs", hidden_spec, 0.25, (name,), hidden=True, cell=_OTHER,
                    id=f"{name}_hidden", title_es=f"{name} (oculta): entradas nuevas")
      for name, (_, hidden_spec) in OTHER_PRIMES.items()),
    # costs (public 2, hidden 1)
    compare_check(CHECK_MSE, MSE_SPEC, 0.5, ("mse_loss",), cell="losses",
                  id="mse_loss", title_es="mse_loss: casos públicos"),
    compare_check(CHECK_CE, CE_SPEC, 0.5, ("cross_entropy_loss",), cell="losses",
                  id="cross_entropy_loss", title_es="cross_entropy_loss: casos públicos"),
    compare_check(CHECK_BCE, BCE_SPEC, 0.5, ("binary_cross_entropy_loss",), cell="losses",
                  id="binary_cross_entropy_loss", title_es="binary_cross_entropy_loss: casos públicos"),
    compare_check(CHECK_DELTA, DELTA_SPEC, 0.25, ("softmax_cross_entropy_delta",), cell="losses",
                  id="softmax_cross_entropy_delta", title_es="softmax_cross_entropy_delta: casos públicos"),
    finite_compare_check("softmax_cross_entropy_delta: stable for |z| up to 1000", (DELTA_LARGE_SPEC,), 0.25,
                         ("softmax_cross_entropy_delta",), cell="losses", id="softmax_cross_entropy_delta_stable",
                         title_es="softmax_cross_entropy_delta: estable para |z| de hasta 1000"),
    # the hidden costs' own fresh inputs stay those they were released with; fresh |z| up to 1000 come after
    finite_compare_check("costs (hidden): fresh inputs", (LOSSES_HIDDEN_SPEC, DELTA_LARGE_SPEC), 1, LOSSES,
                         hidden=True, cell="losses", id="costs_hidden",
                         title_es="costes (oculta): entradas nuevas (también |z| de hasta 1000 en el delta)"),
    # MLP (public 3, hidden 1.5)
    compare_check(CHECK_MLP_FORWARD, MLP_FORWARD_SPEC, 0.5, ("mlp_forward",), cell="mlp",
                  id="mlp_forward", title_es="mlp_forward: casos públicos"),
    compare_check(CHECK_MLP, MLP_SPEC, 1.5, _MLP, cell="mlp", depends=_DEPENDS,
                  id="mlp_backward", title_es="mlp_backward: casos públicos (con las cachés de tu mlp_forward)"),
    Check(CHECK_MLP_GRAD, 1, check_mlp_gradient, _MLP, cell="mlp",
          id="mlp_backward_gradient",
          title_es="mlp_backward: coincide con las diferencias centradas de tu mlp_forward"),
    compare_check("mlp_backward (hidden): fresh inputs", MLP_HIDDEN_SPEC, 1.5, _MLP, hidden=True, cell="mlp",
                  depends=_DEPENDS, id="mlp_backward_hidden", title_es="mlp_backward (oculta): entradas nuevas"),
    # TwoLayerNet (public 2.5, hidden 1)
    Check(CHECK_NET_INIT, 0.25, check_net_init, ("TwoLayerNet",), cell="two_layer_net", id="two_layer_net_init",
          title_es="TwoLayerNet: construcción (W1, b1, W2, b2: formas, semilla)"),
    compare_check(CHECK_NET_FORWARD, NET_FORWARD_OUTPUTS_SPEC, 0.25, ("TwoLayerNet",), cell="two_layer_net",
                  id="two_layer_net_forward", title_es="TwoLayerNet.forward: casos públicos (z1, a1, z2, y)"),
    compare_check(CHECK_NET, NET_SPEC, 0.75, ("TwoLayerNet",), cell="two_layer_net",
                  id="two_layer_net_backward", title_es="TwoLayerNet.backward: casos públicos"),
    Check(CHECK_NET_GRAD, 0.75, check_net_gradient, ("TwoLayerNet",), cell="two_layer_net",
          id="two_layer_net_backward_gradient",
          title_es="TwoLayerNet.backward: coincide con las diferencias centradas de tu forward"),
    Check(CHECK_STEP, 0.5, check_gradient_step, ("TwoLayerNet",), cell="two_layer_net",
          id="gradient_step", title_es="TwoLayerNet.gradient_step: θ − η·(tu backward), en el sitio"),
    compare_check("TwoLayerNet (hidden): backward and gradient_step on fresh inputs", NET_HIDDEN_SPEC, 0.75,
                  ("TwoLayerNet",), hidden=True, cell="two_layer_net", id="two_layer_net_hidden",
                  title_es="TwoLayerNet (oculta): backward y gradient_step con entradas nuevas"),
    compare_check("TwoLayerNet.forward (hidden): fresh inputs", NET_FORWARD_HIDDEN_SPEC, 0.25, ("TwoLayerNet",),
                  hidden=True, cell="two_layer_net", id="two_layer_net_forward_hidden",
                  title_es="TwoLayerNet.forward (oculta): entradas nuevas"),
    # numerical_gradient (public 1.5, hidden 0.5)
    Check(CHECK_NUMGRAD, 1, check_numgrad, ("numerical_gradient",), cell="numerical_gradient",
          id="numerical_gradient", title_es="numerical_gradient: diferencias centradas de una función conocida"),
    Check(CHECK_RESTORE, 0.5, check_numgrad_restores, ("numerical_gradient",), cell="numerical_gradient",
          id="numerical_gradient_restores_x",
          title_es="numerical_gradient: x conserva sus valores originales tras la llamada"),
    Check("numerical_gradient (hidden): fresh shapes, default h", 0.5, check_numgrad_hidden, ("numerical_gradient",),
          hidden=True, cell="numerical_gradient", id="numerical_gradient_hidden",
          title_es="numerical_gradient (oculta): formas nuevas, h por defecto"),
]
