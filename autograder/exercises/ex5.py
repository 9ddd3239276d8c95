"""ex5 optimizers: CS231n-style update rules ``update(w, dw, config=None) -> (next_w, config)``.

What is checked
* **Update rule** (one public and one hidden check per rule): the whole
  trajectory ``w_0 … w_30`` of 30 steps on a fixed gradient sequence, weights
  of shape (3, 4), explicit hyper-parameters drawn so that the lecture and the
  Keras forms of AdaGrad, RMSProp and Adam differ by far more than the
  tolerance (ε from 1e-3 to 0.1, gradient scales from 0.1 to 3 per row;
  tests hold every draw to a relative difference > 1e-3, and every known
  mistake to the same distance from both forms). The grader passes copies,
  carries the returned ``config`` into the next call and copies ``next_w``,
  so a rule may mutate ``w`` and return it. Either form is accepted for each
  rule, one form per rule kept for the whole trajectory, and the message says
  which form was recognised. The run starts from the submission's **own**
  initial state (``config`` holds hyper-parameters only); when that fails
  (wrong values, or an exception) it is repeated from an **explicit zero
  state** (``velocity``/``cache``/``m``/``v`` zeros, ``t = 0``), and a rule
  right from there keeps its points: a wrong initial state costs only the
  initialisation check. RuntimeWarnings of the calls made from the explicit
  zero state are the grader's, not the student's: they are not reported.
* The three state properties below are checked **per rule** (a check each,
  ``needs=(rule,)``), so a rule that is missing or wrong costs only its share;
  their ids are ``<property>_<rule>`` (``initial_state_adam``): the former all-rule
  checks' ids (``initial_state``, ``defaults``, ``stored_state``) are retired, not
  reused with another meaning, so a gradebook's old columns never change sense.
* **Initial state** (public, each stateful rule): the run from the
  submission's own start must equal its own run from the explicit zero state
  (or the reference); otherwise the message says what started wrong
  (``t`` starting at 1, ``cache`` at 0.1, a state that must be passed in),
  estimated from the first call: own − zero = decay · start. Adam's t is
  told by what the run shows: the stored t after the first and the last
  call (never incremented: constant; else one more per call from its start
  + 1), and the trajectory: t from 1 incremented *after* use steps right
  (only the stored t is one ahead), t from 1 incremented *before* use takes
  its first step with t = 2 (and is right from t = 0).
* **Defaults** (public, each rule): one call with ``config=None``; every
  hyper-parameter stored in the returned ``config`` must be the SPEC's
  default (from the fixture; each missing or wrong one is said), and
  ``next_w`` must equal the submission's own step with those values passed
  explicitly — the submission against itself, so a wrong update rule or
  initial state does not cost this point.
* **Stored state** (public, each stateful rule): the state the rule computes
  (``velocity``, ``cache``, ``m``, ``v``) is written back into the returned
  ``config`` and carried to the next call: after the run it equals the
  reference's (same fallback). It depends on the gradients only, so both forms
  share it. One error is scored once: when the run reproduces a known mistake
  of the update rule in every output, trajectory and stored state alike, and
  that mistake does not target this check (momentum or ``decay_rate`` or the
  betas hard-coded, RMSProp's weights swapped or without ``1 − decay_rate``,
  Adam's betas swapped, the gradient not squared, …), the state is stored
  and carried right and only holds what the wrong rule computes: this check
  keeps its points with a note naming the mistake, which the rule checks
  score. The mistakes about the state itself target this check and fail it:
  a state not written back, or reset at every call (AdaGrad's cache replaced
  by ``dw**2`` gives the same outputs), Adam storing ``m_hat``/``v_hat``, and a state
  that differs only by convention (the velocity of the opposite sign with the
  same steps, which fails here only); a keep is refused when a mistake that
  targets this check gives the same outputs. A state that is no known
  mistake's is told the course's recurrence (:data:`CONVENTION`), or named
  after the mistake whose steps the run takes (momentum as a moving average
  of the gradients, in gradient units). The t check follows the same rule.
* **t** (public): Adam's ``config['t']`` equals the number of steps after the
  run (same fallback).

Naming the mistake (``MISTAKES``, one-error variants in
``reference_impl/mistakes_ex5.py``): a rule check names the known mistake whose
trajectory the run reproduces, preferring one whose stored state matches too
(momentum climbing the gradient and a right velocity subtracted take the same
steps; so do a state never written back and one reset to zeros at every call).
A stored state that no mistake stores is named after the mistake whose steps
the run takes (momentum as a moving average of the gradients, in gradient
units). The explicit hyper-parameters are drawn again in the rare case of a
SPEC default, so that a hyper-parameter written as its default in the code
(instead of read from ``config``) always changes the trajectory; ε written as
1e-7 or 1e-8 is ε left out at these scales (one mistake). The defaults check
names every wrong default it recognises (CS231n's RMSprop ``decay_rate`` 0.99
and learning rate 1e-2, ε = 1e-8).

Points (15): rule checks public 6 × 1, hidden 5 (0.5 for sgd and momentum, 1
for each of the others); t 1; the state cell's 3 points shared by its 16
per-rule checks (initial state 5, defaults 6, stored state 5), 3/16 each.
Public 10, hidden 5.

Tolerance: the SPEC's ``|got − exp| ≤ 1e-10·max|exp| + 1e-6·|exp|`` on every
element of the trajectory and the state (float32 results at rtol 1e-4).
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext
from functools import partial

import numpy as np

from ..checks import Case, CaseSpec, Check, Fail, Mistake, judge, mistake_catalog
from ..compare import as_float_array, compare
from ..messages import BOTH, Msg, Text, as_msg, t
from ..sandbox import StudentRaised

RULES = ("sgd", "sgd_momentum", "sgd_nesterov", "adagrad", "rmsprop", "adam")
STATEFUL = RULES[1:]
ADAPTIVE = ("adagrad", "rmsprop", "adam")
N_STEPS = 30
SHAPE = (3, 4)

#: hyper-parameters of each rule (their default values live in the fixtures, from the reference).
HYPER = {
    "sgd": ("learning_rate",),
    "sgd_momentum": ("learning_rate", "momentum"),
    "sgd_nesterov": ("learning_rate", "momentum"),
    "adagrad": ("learning_rate", "epsilon"),
    "rmsprop": ("learning_rate", "decay_rate", "epsilon"),
    "adam": ("learning_rate", "beta1", "beta2", "epsilon"),
}
#: state keys each rule keeps in config.
STATE = {
    "sgd": (),
    "sgd_momentum": ("velocity",),
    "sgd_nesterov": ("velocity",),
    "adagrad": ("cache",),
    "rmsprop": ("cache",),
    "adam": ("m", "v", "t"),
}
#: ranges the explicit hyper-parameters are drawn from (3 significant digits).
RANGES = {
    "sgd": {"learning_rate": (0.02, 0.1)},
    "sgd_momentum": {"learning_rate": (0.01, 0.05), "momentum": (0.7, 0.95)},
    "sgd_nesterov": {"learning_rate": (0.01, 0.05), "momentum": (0.7, 0.95)},
    "adagrad": {"learning_rate": (0.05, 0.2), "epsilon": (0.02, 0.1)},
    "rmsprop": {"learning_rate": (0.005, 0.03), "decay_rate": (0.8, 0.95), "epsilon": (0.02, 0.1)},
    "adam": {"learning_rate": (0.01, 0.05), "beta1": (0.8, 0.95), "beta2": (0.95, 0.999),
             "epsilon": (0.001, 0.01)},
}
#: the SPEC's defaults that the drawn hyper-parameters avoid (the fixtures hold each rule's defaults, from the
#: reference; these are only the values a hyper-parameter written as its default in the code would have)
_SPEC_DEFAULT = {"learning_rate": 1e-2, "momentum": 0.9, "decay_rate": 0.9, "beta1": 0.9, "beta2": 0.999,
                 "epsilon": 1e-7}
#: for a state key, the hyper-parameter multiplying its old value in the recurrence (None: 1)
_DECAY = {
    ("sgd_momentum", "velocity"): "momentum", ("sgd_nesterov", "velocity"): "momentum",
    ("adagrad", "cache"): None, ("rmsprop", "cache"): "decay_rate",
    ("adam", "m"): "beta1", ("adam", "v"): "beta2", ("adam", "t"): None,
}

TRAJ = f"w_k (k = 0..{N_STEPS})"

MISTAKES = mistake_catalog(
    Mistake("optim_sgd_wrong_sign", "the step climbs the gradient (w + lr*dw); SGD moves against it: w - lr*dw.",
            "el paso sube por el gradiente (w + lr*dw); SGD va en contra: w - lr*dw.",
            targets=("sgd",)),
    Mistake("optim_momentum_wrong_sign", "the velocity adds the gradient (velocity = mu*velocity + lr*dw); it must subtract it: velocity = mu*velocity - lr*dw, then w += velocity.",
            "la velocidad suma el gradiente (velocity = mu*velocity + lr*dw); debe restarlo: velocity = mu*velocity - lr*dw, y luego w += velocity.",
            targets=("sgd_momentum",)),
    Mistake("optim_state_not_stored", "the state is not written back into config (e.g. the velocity or the cache kept in a local variable), so every call starts again from zeros: store it, config['velocity'] = velocity (config['cache'] = cache).",
            "el estado no se guarda de vuelta en config (p. ej. la velocidad o la caché quedan en una variable local), así que cada llamada empieza de cero: guárdalo, config['velocity'] = velocity (config['cache'] = cache).",
            targets=("stored_state_sgd_momentum", "stored_state_sgd_nesterov", "stored_state_adagrad",
                     "stored_state_rmsprop")),
    Mistake("optim_velocity_opposite_sign", "the velocity is stored with the opposite sign (velocity = mu*velocity + lr*dw, then w -= velocity): the steps are the same, but the course's convention, the one config['velocity'] is compared with, is velocity = mu*velocity - lr*dw, then w += velocity (Nesterov: w += mu*velocity - lr*dw).",
            "la velocidad se guarda con el signo opuesto (velocity = mu*velocity + lr*dw, y luego w -= velocity): los pasos son los mismos, pero la convención del curso, con la que se compara config['velocity'], es velocity = mu*velocity - lr*dw, y luego w += velocity (Nesterov: w += mu*velocity - lr*dw).",
            targets=("stored_state_sgd_momentum", "stored_state_sgd_nesterov")),
    Mistake("optim_nesterov_as_momentum", "Nesterov is done as plain momentum (w += velocity); Nesterov looks ahead: w += mu*velocity - lr*dw with the new velocity.",
            "Nesterov se hace como momento clásico (w += velocity); Nesterov mira adelante: w += mu*velocity - lr*dw con la velocidad nueva.",
            targets=("sgd_nesterov",)),
    Mistake("optim_adagrad_cache_replaced", "the cache is replaced by dw**2 at every step; AdaGrad accumulates it: cache += dw**2.",
            "la caché se reemplaza por dw**2 en cada paso; AdaGrad la acumula: cache += dw**2.",
            targets=("adagrad", "stored_state_adagrad")),
    Mistake("optim_adagrad_cache_starts_at_0_1", "the cache starts at 0.1 (Keras' initial_accumulator_value); in this course it starts at zeros: np.zeros_like(w).",
            "la caché empieza en 0.1 (el initial_accumulator_value de Keras); en este curso empieza en ceros: np.zeros_like(w).",
            targets=("initial_state_adagrad",)),
    Mistake("optim_rmsprop_no_one_minus_decay", "the (1 - decay_rate) factor is missing: cache = decay_rate*cache + (1 - decay_rate)*dw**2.",
            "falta el factor (1 - decay_rate): cache = decay_rate*cache + (1 - decay_rate)*dw**2.",
            targets=("rmsprop",)),
    Mistake("optim_adam_no_bias_correction", "m and v are used without bias correction: m_hat = m/(1 - beta1**t), v_hat = v/(1 - beta2**t).",
            "m y v se usan sin corrección de sesgo: m_hat = m/(1 - beta1**t), v_hat = v/(1 - beta2**t).",
            targets=("adam",)),
    Mistake("optim_adam_t_late", "t is incremented after it is used, so the first step divides by 1 - beta1**0 = 0: increment t before using it.",
            "t se incrementa después de usarlo, así que el primer paso divide entre 1 - beta1**0 = 0: incrementa t antes de usarlo.",
            targets=("adam",)),
    Mistake("optim_adam_t_starts_at_1", "t starts at 1 (as in an old course template) and is incremented before use, so the first step uses t = 2: start at 0 and increment before use.",
            "t empieza en 1 (como en una plantilla antigua del curso) y se incrementa antes de usarlo, así que el primer paso usa t = 2: empieza en 0 e incrementa antes de usarlo.",
            targets=("initial_state_adam",)),
    Mistake("optim_adam_t_from_1_after_use", "t starts at 1 and is incremented after it is used: every step uses the right t (the updates are right), but config['t'] ends one ahead of the number of steps taken; the course's convention is t = 0 at the start, incremented before use, so that t counts completed steps.",
            "t empieza en 1 y se incrementa después de usarlo: cada paso usa el t correcto (las actualizaciones son correctas), pero config['t'] acaba uno por delante del número de pasos dados; la convención del curso es t = 0 al empezar, incrementado antes de usarlo, para que t cuente los pasos completados.",
            targets=("initial_state_adam",)),
    Mistake("optim_adam_t_not_incremented", "t is never incremented: it keeps its initial value, so every step uses the same t in the bias correction (t = 0 divides by 1 - beta1**0 = 0; t = 1 corrects every step as if it were the first): increment it once per call, before using it (config['t'] += 1).",
            "t nunca se incrementa: conserva su valor inicial, así que cada paso usa el mismo t en la corrección de sesgo (t = 0 divide entre 1 - beta1**0 = 0; t = 1 corrige cada paso como si fuera el primero): increméntalo una vez por llamada, antes de usarlo (config['t'] += 1).",
            targets=("adam", "adam_t")),
    Mistake("optim_adam_bias_correction_t_plus_1", "the bias correction uses beta**(t+1); after incrementing t it is m/(1 - beta1**t) and v/(1 - beta2**t).",
            "la corrección de sesgo usa beta**(t+1); tras incrementar t es m/(1 - beta1**t) y v/(1 - beta2**t).",
            targets=("adam",)),
    Mistake("optim_adam_t_not_stored", "t is computed but not written back into config, so every step uses t = 1: store config['t'] = t.",
            "t se calcula pero no se guarda en config, así que cada paso usa t = 1: guarda config['t'] = t.",
            targets=("adam_t",)),
    Mistake("optim_adam_corrected_moments_stored", "the bias-corrected m_hat and v_hat are stored in config in place of m and v; store the raw moments and correct a copy.",
            "se guardan en config m_hat y v_hat corregidos en lugar de m y v; guarda los momentos sin corregir y corrige una copia.",
            targets=("adam", "stored_state_adam")),
    Mistake("optim_adam_default_epsilon", "the default epsilon is 1e-8 (CS231n's); in this course (as in Keras) it is 1e-7 for AdaGrad, RMSprop and Adam: config.setdefault('epsilon', 1e-7).",
            "el epsilon por defecto es 1e-8 (el de CS231n); en este curso (como en Keras) es 1e-7 para AdaGrad, RMSprop y Adam: config.setdefault('epsilon', 1e-7).",
            targets=("defaults_adam", "defaults_adagrad", "defaults_rmsprop")),
    Mistake("optim_learning_rate_hard_coded", "the learning rate is written as a number (its default) in the update instead of read from config: use lr = config['learning_rate'], so that the value passed in is the one used.",
            "la tasa de aprendizaje está escrita como un número (su valor por defecto) en la actualización en lugar de leerse de config: usa lr = config['learning_rate'], para que se use el valor que se pasa.",
            targets=("sgd", "sgd_momentum", "sgd_nesterov", "adagrad", "rmsprop", "adam")),
    Mistake("optim_momentum_hard_coded", "the momentum is written as 0.9 in the update instead of read from config: use mu = config['momentum'], so that the value passed in is the one used.",
            "el momento está escrito como 0.9 en la actualización en lugar de leerse de config: usa mu = config['momentum'], para que se use el valor que se pasa.",
            targets=("sgd_momentum", "sgd_nesterov")),
    Mistake("optim_decay_rate_hard_coded", "the decay rate is written as 0.9 in the update instead of read from config: use rho = config['decay_rate'], so that the value passed in is the one used.",
            "la tasa de decaimiento está escrita como 0.9 en la actualización en lugar de leerse de config: usa rho = config['decay_rate'], para que se use el valor que se pasa.",
            targets=("rmsprop",)),
    Mistake("optim_adam_betas_hard_coded", "beta1 and beta2 are written as 0.9 and 0.999 in the update instead of read from config: use config['beta1'] and config['beta2'], so that the values passed in are the ones used.",
            "beta1 y beta2 están escritos como 0.9 y 0.999 en la actualización en lugar de leerse de config: usa config['beta1'] y config['beta2'], para que se usen los valores que se pasan.",
            targets=("adam",)),
    Mistake("optim_state_not_carried", "the state is stored in config but reset to zeros at every call (e.g. velocity = np.zeros_like(w) before updating it), so no call sees the previous one's: read it from config, velocity = config.get('velocity', np.zeros_like(w)) (the same for cache, m and v), and create the zeros only when the key is missing.",
            "el estado se guarda en config pero se reinicia a ceros en cada llamada (p. ej. velocity = np.zeros_like(w) antes de actualizarla), así que ninguna llamada ve el de la anterior: léelo de config, velocity = config.get('velocity', np.zeros_like(w)) (igual para cache, m y v), y crea los ceros solo cuando falte la clave.",
            targets=("sgd_momentum", "sgd_nesterov", "rmsprop", "adam", "stored_state_sgd_momentum",
                     "stored_state_sgd_nesterov", "stored_state_rmsprop", "stored_state_adam")),
    Mistake("optim_gradient_applied_twice", "the gradient step is applied twice (e.g. w -= lr*dw and then w - lr*dw returned, or w += velocity - lr*dw when the velocity already holds -lr*dw): SGD is w - lr*dw; momentum w += velocity; Nesterov w += mu*velocity - lr*dw.",
            "el paso del gradiente se aplica dos veces (p. ej. w -= lr*dw y luego se devuelve w - lr*dw, o w += velocity - lr*dw cuando la velocidad ya contiene -lr*dw): SGD es w - lr*dw; momento, w += velocity; Nesterov, w += mu*velocity - lr*dw.",
            targets=("sgd", "sgd_momentum", "sgd_nesterov")),
    Mistake("optim_momentum_moving_average", "the velocity is a moving average of the gradients (velocity = mu*velocity + (1 - mu)*dw, or - (1 - mu)*lr*dw): the (1 - mu) factor shrinks every step; momentum adds the whole step: velocity = mu*velocity - lr*dw, then w += velocity.",
            "la velocidad es una media móvil de los gradientes (velocity = mu*velocity + (1 - mu)*dw, o - (1 - mu)*lr*dw): el factor (1 - mu) encoge cada paso; el momento suma el paso entero: velocity = mu*velocity - lr*dw, y luego w += velocity.",
            targets=("sgd_momentum",)),
    Mistake("optim_momentum_step_subtracted", "the velocity is right (velocity = mu*velocity - lr*dw) but it is subtracted from w, so the step climbs the gradient: w += velocity.",
            "la velocidad es correcta (velocity = mu*velocity - lr*dw) pero se resta de w, así que el paso sube por el gradiente: w += velocity.",
            targets=("sgd_momentum",)),
    Mistake("optim_nesterov_no_gradient_term", "Nesterov's step is missing its gradient term (w += mu*velocity); it is w += mu*velocity - lr*dw with the new velocity.",
            "al paso de Nesterov le falta el término del gradiente (w += mu*velocity); es w += mu*velocity - lr*dw con la velocidad nueva.",
            targets=("sgd_nesterov",)),
    Mistake("optim_no_sqrt", "the step divides by the accumulated squares without their square root (dw/(cache + eps), Adam: m_hat/(v_hat + eps)): divide by np.sqrt(cache) + eps (Adam: np.sqrt(v_hat) + eps).",
            "el paso divide entre los cuadrados acumulados sin su raíz cuadrada (dw/(cache + eps), Adam: m_hat/(v_hat + eps)): divide entre np.sqrt(cache) + eps (Adam: np.sqrt(v_hat) + eps).",
            targets=("adagrad", "rmsprop", "adam")),
    Mistake("optim_no_epsilon", "epsilon is missing from the denominator (dw/np.sqrt(cache), Adam: m_hat/np.sqrt(v_hat)), or written as a number (1e-7, 1e-8) instead of read from config: divide by np.sqrt(cache) + eps (Adam: np.sqrt(v_hat) + eps) with eps = config['epsilon'], so that the value passed in is the one used.",
            "falta epsilon en el denominador (dw/np.sqrt(cache), Adam: m_hat/np.sqrt(v_hat)), o está escrito como un número (1e-7, 1e-8) en lugar de leerse de config: divide entre np.sqrt(cache) + eps (Adam: np.sqrt(v_hat) + eps) con eps = config['epsilon'], para que se use el valor que se pasa.",
            targets=("adagrad", "rmsprop", "adam")),
    Mistake("optim_grad_not_squared", "the gradient is accumulated without squaring it (cache += dw, Adam: v = beta2*v + (1 - beta2)*dw), so the cache goes negative and its square root is NaN: accumulate dw**2.",
            "el gradiente se acumula sin elevarlo al cuadrado (cache += dw, Adam: v = beta2*v + (1 - beta2)*dw), así que la caché se vuelve negativa y su raíz es NaN: acumula dw**2.",
            targets=("adagrad", "rmsprop", "adam")),
    Mistake("optim_cache_updated_after_step", "the step uses the cache of before this gradient (the cache is updated after the step, so the first step divides by eps alone): update the cache first, then w -= lr*dw/(np.sqrt(cache) + eps).",
            "el paso usa la caché de antes de este gradiente (la caché se actualiza después del paso, así que el primer paso divide solo entre eps): actualiza primero la caché y luego w -= lr*dw/(np.sqrt(cache) + eps).",
            targets=("adagrad", "rmsprop")),
    Mistake("optim_rmsprop_decay_swapped", "the two weights of the cache are swapped (cache = (1 - decay_rate)*cache + decay_rate*dw**2): the old cache keeps decay_rate, cache = decay_rate*cache + (1 - decay_rate)*dw**2.",
            "los dos pesos de la caché están intercambiados (cache = (1 - decay_rate)*cache + decay_rate*dw**2): la caché anterior conserva decay_rate, cache = decay_rate*cache + (1 - decay_rate)*dw**2.",
            targets=("rmsprop",)),
    Mistake("optim_adam_eps_inside_sqrt", "epsilon is inside the square root with the textbook bias correction (m_hat/np.sqrt(v_hat + eps)); it goes outside: m_hat/(np.sqrt(v_hat) + eps) (Keras' form, lr*sqrt(1 - beta2**t)/(1 - beta1**t) * m/(np.sqrt(v) + eps), is accepted too).",
            "epsilon está dentro de la raíz con la corrección de sesgo de los libros (m_hat/np.sqrt(v_hat + eps)); va fuera: m_hat/(np.sqrt(v_hat) + eps) (la forma de Keras, lr*sqrt(1 - beta2**t)/(1 - beta1**t) * m/(np.sqrt(v) + eps), también se acepta).",
            targets=("adam",)),
    Mistake("optim_adam_betas_swapped", "beta1 and beta2 are swapped: the first moment m decays with beta1 (m = beta1*m + (1 - beta1)*dw, m_hat = m/(1 - beta1**t)) and the second moment v with beta2.",
            "beta1 y beta2 están intercambiados: el primer momento m decae con beta1 (m = beta1*m + (1 - beta1)*dw, m_hat = m/(1 - beta1**t)) y el segundo momento v con beta2.",
            targets=("adam",)),
    Mistake("optim_adam_no_one_minus_beta", "the (1 - beta) factors are missing in the moments (m = beta1*m + dw): m = beta1*m + (1 - beta1)*dw and v = beta2*v + (1 - beta2)*dw**2.",
            "faltan los factores (1 - beta) en los momentos (m = beta1*m + dw): m = beta1*m + (1 - beta1)*dw y v = beta2*v + (1 - beta2)*dw**2.",
            targets=("adam",)),
    Mistake("optim_rmsprop_default_decay_rate", "RMSprop's default decay_rate is 0.99 (CS231n's); in this course (as in Keras' rho) it is 0.9: config.setdefault('decay_rate', 0.9).",
            "el decay_rate por defecto de RMSprop es 0.99 (el de CS231n); en este curso (como el rho de Keras) es 0.9: config.setdefault('decay_rate', 0.9).",
            targets=("defaults_rmsprop",)),
    Mistake("optim_adaptive_default_learning_rate", "the default learning rate of AdaGrad/RMSprop is 1e-2 (SGD's, or CS231n's RMSprop); in this course (as in Keras) the adaptive rules default to 1e-3: config.setdefault('learning_rate', 1e-3).",
            "la tasa de aprendizaje por defecto de AdaGrad/RMSprop es 1e-2 (la de SGD, o la del RMSprop de CS231n); en este curso (como en Keras) las reglas adaptativas usan 1e-3 por defecto: config.setdefault('learning_rate', 1e-3).",
            targets=("defaults_adagrad", "defaults_rmsprop")),
)

FORM_NAMES = {"reference": Text("lecture", "de las clases"), "keras": Text("Keras", "de Keras")}

ZERO_STATE = {
    "sgd_momentum": "velocity = 0", "sgd_nesterov": "velocity = 0",
    "adagrad": "cache = 0", "rmsprop": "cache = 0", "adam": "m = v = 0, t = 0",
}

TEXTS = {
    "not_pair": Text("{rule} must return a pair (next_w, config); at step {step} it returned {got}.",
                     "{rule} debe devolver un par (next_w, config); en el paso {step} devolvió {got}."),
    "not_dict": Text("{rule} must return config as a dict (the one it received, with the state added); at step {step} it returned {got}.",
                     "{rule} debe devolver config como dict (el que recibió, con el estado añadido); en el paso {step} devolvió {got}."),
    "bad_w": Text("{rule}: next_w at step {step} cannot be read as numbers ({got}).",
                  "{rule}: next_w en el paso {step} no se puede leer como números ({got})."),
    "bad_shape": Text("{rule}: next_w at step {step} has shape {got}; expected the shape of w, {shape}.",
                      "{rule}: next_w en el paso {step} tiene forma {got}; se esperaba la forma de w, {shape}."),
    "explicit_ok": Text("Right when started from an explicit zero state ({zero}), not from your own initial state: see the initial-state check of {rule}.",
                        "Correcto si se empieza desde un estado cero explícito ({zero}), no desde tu propio estado inicial: mira la comprobación del estado inicial de {rule}."),
    "explicit_run": Text("{own} Started from an explicit zero state ({zero}) instead: {detail}",
                         "{own} Empezando en cambio desde un estado cero explícito ({zero}): {detail}"),
    "lost_hyper": Text(" Note: the config {rule} returns has no {key!r}; return the config you received (hyper-parameters included) with the state added.",
                       " Nota: el config que devuelve {rule} no tiene {key!r}; devuelve el config que recibiste (con los hiperparámetros) con el estado añadido."),
    "init_differs": Text("{rule}: started from its own initial state the run differs from the one started at {zero}{right}. {found}",
                         "{rule}: empezando desde su propio estado inicial, la ejecución difiere de la que empieza en {zero}{right}. {found}"),
    "init_right": Text(" (which is right)", " (que es correcta)"),
    "init_state_only": Text("{rule}: its updates are right, but the state it stores is not the one the course's start ({zero}) gives: {detail} {found}",
                            "{rule}: sus actualizaciones son correctas, pero el estado que guarda no es el que da el inicio del curso ({zero}): {detail} {found}"),
    "init_starts_at": Text("`{key}` starts at {value} instead of 0.", "`{key}` empieza en {value} en lugar de 0."),
    "init_not_zero": Text("`{key}` does not start at zeros.", "`{key}` no empieza en ceros."),
    "init_generic": Text("Start velocity, cache, m and v at np.zeros_like(w) and t at 0 (incremented before use).",
                         "Empieza velocity, cache, m y v en np.zeros_like(w) y t en 0 (incrementado antes de usarlo)."),
    "init_raised": Text("{rule}: from a config holding only hyper-parameters it fails ({error}), but it runs when the state is given ({zero}): create the missing state, e.g. config.setdefault('{key}', np.zeros_like(w)).",
                        "{rule}: con un config que solo tiene hiperparámetros falla ({error}), pero funciona si se le da el estado ({zero}): crea el estado que falta, p. ej. config.setdefault('{key}', np.zeros_like(w))."),
    "t_constant": Text(" config['t'] stays at {value} over the {n} calls.",
                       " config['t'] se queda en {value} durante las {n} llamadas."),
    "convention": Text(" The course's convention, which config[{key!r}] is compared with: {formula}.",
                       " La convención del curso, con la que se compara config[{key!r}]: {formula}."),
    "missing_state": Text("{rule}: the config it returns has no {key!r} after the run ([{case}]).",
                          "{rule}: el config que devuelve no tiene {key!r} tras la ejecución ([{case}])."),
    "state_kept": Text("{rule} writes its state ({keys}) back into config and carries it from call to call: after the run it holds exactly what {rule}'s own update computes. Its update is wrong, and that one mistake is scored once, by the trajectory checks of {rule}: this check keeps its points.",
                       "{rule} guarda su estado ({keys}) de vuelta en config y lo pasa de una llamada a la siguiente: tras la ejecución contiene justo lo que calcula la propia actualización de {rule}. Su actualización está mal, y ese único error se puntúa una sola vez, en las comprobaciones de la trayectoria de {rule}: esta comprobación conserva sus puntos."),
    "defaults_unused": Text("{rule}(w, dw, None) takes another step than {rule}(w, dw, config) with the defaults passed explicitly ({values}): the step must use the values stored in config. {detail}",
                            "{rule}(w, dw, None) da otro paso que {rule}(w, dw, config) con los valores por defecto pasados explícitamente ({values}): el paso debe usar los valores guardados en config. {detail}"),
    "missing_hyper": Text("{rule}(w, dw, None): the config it returns has no {key!r}; fill the defaults with config.setdefault({key!r}, {value}) so they are stored in config.",
                          "{rule}(w, dw, None): el config que devuelve no tiene {key!r}; rellena los valores por defecto con config.setdefault({key!r}, {value}) para que queden guardados en config."),
}

#: the recurrence each stored state follows in the course (the SPEC's table): what config is compared with
CONVENTION = {
    ("sgd_momentum", "velocity"): Text("velocity = mu*velocity - lr*dw, then w += velocity",
                                       "velocity = mu*velocity - lr*dw, y luego w += velocity"),
    ("sgd_nesterov", "velocity"): Text("velocity = mu*velocity - lr*dw, then w += mu*velocity - lr*dw",
                                       "velocity = mu*velocity - lr*dw, y luego w += mu*velocity - lr*dw"),
    ("adagrad", "cache"): Text("cache += dw**2, from zeros", "cache += dw**2, desde ceros"),
    ("rmsprop", "cache"): Text("cache = decay_rate*cache + (1 - decay_rate)*dw**2, from zeros",
                               "cache = decay_rate*cache + (1 - decay_rate)*dw**2, desde ceros"),
    ("adam", "m"): Text("m = beta1*m + (1 - beta1)*dw, from zeros (m itself, not m_hat)",
                        "m = beta1*m + (1 - beta1)*dw, desde ceros (m, no m_hat)"),
    ("adam", "v"): Text("v = beta2*v + (1 - beta2)*dw**2, from zeros (v itself, not v_hat)",
                        "v = beta2*v + (1 - beta2)*dw**2, desde ceros (v, no v_hat)"),
    ("adam", "t"): Text("t starts at 0 and t += 1 comes before its use, so that after n calls t == n",
                        "t empieza en 0 y t += 1 va antes de usarlo, de modo que tras n llamadas t == n"),
}


class _Unusable(Exception):
    """What a rule returned cannot be used (not a pair, config not a dict, next_w not an array)."""

    def __init__(self, key: str, **fields):
        self.key, self.fields = key, fields
        super().__init__(key)


# ------------------------------------------------------------------ cases
def _draw(rng, rule: str) -> list[dict]:
    w = rng.standard_normal(SHAPE)
    scale = 10.0 ** rng.uniform(-1.0, 0.5, size=(1, SHAPE[0], 1))  # one gradient scale per row
    grads = rng.standard_normal((N_STEPS, *SHAPE)) * scale
    hyper = {key: _hyper(rng, rule, key) for key in RANGES[rule]}
    label = f"w {SHAPE}, dw_k for k = 1..{N_STEPS}, " + ", ".join(f"{k}={v:g}" for k, v in hyper.items())
    return [{"_label": label, "rule": rule, "w": w, "grads": grads, "hyper": hyper}]


def _hyper(rng, rule: str, key: str) -> float:
    """A value of ``RANGES[rule][key]`` with 3 significant digits, never the SPEC's default (drawn again in
    that rare case, so that a hyper-parameter written as its default in the code always shows)."""
    lo, hi = RANGES[rule][key]
    while True:
        value = float(f"{rng.uniform(lo, hi):.3g}")
        if value != _SPEC_DEFAULT[key]:
            return value


def inputs_sgd(rng):
    return _draw(rng, "sgd")


def inputs_sgd_momentum(rng):
    return _draw(rng, "sgd_momentum")


def inputs_sgd_nesterov(rng):
    return _draw(rng, "sgd_nesterov")


def inputs_adagrad(rng):
    return _draw(rng, "adagrad")


def inputs_rmsprop(rng):
    return _draw(rng, "rmsprop")


def inputs_adam(rng):
    return _draw(rng, "adam")


def inputs_defaults(rng):
    return [{"_label": f"config=None, w and dw {SHAPE}",
             "w": rng.standard_normal(SHAPE), "dw": rng.standard_normal(SHAPE)}]


def state_label(key: str) -> str:
    return f"config[{key!r}] (k = {N_STEPS})"


def zero_state(rule: str, shape) -> dict:
    state = {key: np.zeros(shape) for key in STATE[rule] if key != "t"}
    if "t" in STATE[rule]:
        state["t"] = 0
    return state


_RETURNED_SEQ = Text("a {kind} of length {n}", "un {kind} de longitud {n}")
_RETURNED_ONE = Text("a value of type {kind}", "un valor de tipo {kind}")


def _describe(value) -> Msg | str:
    """What a rule returned, in every language (a field of the message that says it is unusable)."""
    if isinstance(value, (tuple, list)):
        return _RETURNED_SEQ(BOTH, kind=type(value).__name__, n=len(value))
    return "None" if value is None else _RETURNED_ONE(BOTH, kind=type(value).__name__)


def _unpack(rule: str, result, step: int, shape):
    """(next_w as an array of its own float dtype, config) or _Unusable."""
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise _Unusable("not_pair", rule=rule, step=step, got=_describe(result))
    next_w, config = result
    if not isinstance(config, dict):
        raise _Unusable("not_dict", rule=rule, step=step, got=_describe(config))
    arr, dtype = as_float_array(next_w)
    if arr is None:
        raise _Unusable("bad_w", rule=rule, step=step, got=dtype)
    if arr.shape != tuple(shape):
        raise _Unusable("bad_shape", rule=rule, step=step, got=arr.shape, shape=tuple(shape))
    if dtype in ("float32", "float16"):
        arr = arr.astype(dtype)  # keep the precision it was returned in (compared at that precision)
    return arr, config


def run_trajectory(impl, inputs, from_zero_state: bool = False):
    """Run one rule over the case's gradients, carrying config; returns (outputs, first returned config).

    Every call gets copies (the sandbox's wire copies arguments both ways), so
    a rule may mutate ``w`` and ``config`` and return them. The calls are chained
    (``impl.chain``): in the student's process, several a request, with the same outcome.
    """
    rule = inputs["rule"]
    w0 = np.asarray(inputs["w"], dtype=np.float64)
    config = dict(inputs["hyper"])
    if from_zero_state:
        config.update(zero_state(rule, w0.shape))
    grads = list(inputs["grads"])
    w, ws, first = w0, [], None
    while len(ws) < len(grads):  # as many calls a request as the implementation runs (Sandbox.chain)
        for result in impl.chain(rule, w, grads[len(ws):], config):
            w, config = _unpack(rule, result, len(ws) + 1, w0.shape)
            first = config if first is None else first
            ws.append(w)
    dtype = np.result_type(*ws)
    outputs = {TRAJ: np.stack([w0.astype(dtype)] + ws)}
    for key in STATE[rule]:
        outputs[state_label(key)] = config.get(key)
    return outputs, first


def trajectory_outputs(impl, inputs):
    """CaseSpec procedure: the trajectory and final state from the rule's own initial state."""
    return run_trajectory(impl, inputs)[0]


def _default_labels(rule: str) -> list[str]:
    return [f"{rule}: config[{key!r}]" for key in HYPER[rule]]


def run_defaults(impl, inputs, rule: str, config=None) -> tuple:
    """One call ``rule(w, dw, config)`` (config None by default): (next_w, {label: stored hyper-parameter})."""
    w = inputs["w"]
    next_w, config = _unpack(rule, impl.call(rule, w, inputs["dw"], config), 1, w.shape)
    return next_w, {label: config.get(key) for label, key in zip(_default_labels(rule), HYPER[rule])}


def defaults_outputs(impl, inputs):
    """CaseSpec procedure: the hyper-parameters every rule stores in config when called with config=None."""
    outputs = {}
    for rule in RULES:
        outputs.update(run_defaults(impl, inputs, rule)[1])
    return outputs


_INPUTS = {"sgd": inputs_sgd, "sgd_momentum": inputs_sgd_momentum, "sgd_nesterov": inputs_sgd_nesterov,
           "adagrad": inputs_adagrad, "rmsprop": inputs_rmsprop, "adam": inputs_adam}
#: known mistakes per rule; where two take the same steps (momentum climbing the gradient and w -= velocity,
#: the state not stored and not carried) the rule checks name the one whose stored state matches too
_MISTAKES_OF = {
    "sgd": ("optim_sgd_wrong_sign", "optim_learning_rate_hard_coded", "optim_gradient_applied_twice"),
    "sgd_momentum": ("optim_momentum_wrong_sign", "optim_state_not_stored", "optim_velocity_opposite_sign",
                     "optim_momentum_step_subtracted", "optim_state_not_carried", "optim_momentum_moving_average",
                     "optim_gradient_applied_twice", "optim_learning_rate_hard_coded", "optim_momentum_hard_coded"),
    "sgd_nesterov": ("optim_nesterov_as_momentum", "optim_velocity_opposite_sign", "optim_state_not_stored",
                     "optim_state_not_carried", "optim_gradient_applied_twice", "optim_nesterov_no_gradient_term",
                     "optim_learning_rate_hard_coded", "optim_momentum_hard_coded"),
    "adagrad": ("optim_adagrad_cache_replaced", "optim_adagrad_cache_starts_at_0_1", "optim_state_not_stored",
                "optim_no_sqrt", "optim_no_epsilon", "optim_grad_not_squared", "optim_cache_updated_after_step",
                "optim_learning_rate_hard_coded"),
    "rmsprop": ("optim_rmsprop_no_one_minus_decay", "optim_rmsprop_decay_swapped", "optim_state_not_stored",
                "optim_state_not_carried", "optim_no_sqrt", "optim_no_epsilon", "optim_grad_not_squared",
                "optim_cache_updated_after_step", "optim_learning_rate_hard_coded", "optim_decay_rate_hard_coded"),
    "adam": ("optim_adam_no_bias_correction", "optim_adam_t_late", "optim_adam_bias_correction_t_plus_1",
             "optim_adam_t_starts_at_1", "optim_adam_t_not_stored", "optim_adam_corrected_moments_stored",
             "optim_adam_t_not_incremented", "optim_adam_t_from_1_after_use", "optim_adam_eps_inside_sqrt",
             "optim_adam_betas_swapped", "optim_adam_no_one_minus_beta", "optim_state_not_carried", "optim_no_sqrt",
             "optim_no_epsilon", "optim_grad_not_squared", "optim_learning_rate_hard_coded",
             "optim_adam_betas_hard_coded"),
}
#: mistakes of the initial state only: right from the explicit zero state (the initial-state check names them)
INIT_MISTAKES = ("optim_adagrad_cache_starts_at_0_1", "optim_adam_t_starts_at_1")
#: mistakes whose steps are the reference's: only the state they store differs (named from the state)
STATE_ONLY_MISTAKES = ("optim_velocity_opposite_sign", "optim_adam_t_from_1_after_use")
#: Adam's mistakes about t whose trajectories can coincide (t = 1 at every step without storing t or without
#: incrementing it; NaN from the first step when t = 0 is used): named by what the stored t shows (:func:`_t_story`)
T_MISTAKES = ("optim_adam_t_not_stored", "optim_adam_t_not_incremented", "optim_adam_t_late")

RULE_SPECS = {
    rule: CaseSpec(f"ex5.{rule}", _INPUTS[rule], trajectory_outputs,
                   forms=("reference", "keras") if rule in ADAPTIVE else ("reference",),
                   mistakes=_MISTAKES_OF[rule])
    for rule in RULES
}
DEFAULTS_SPEC = CaseSpec("ex5.defaults", inputs_defaults, defaults_outputs, forms=("reference", "keras"),
                         mistakes=("optim_adam_default_epsilon", "optim_rmsprop_default_decay_rate",
                                   "optim_adaptive_default_learning_rate"))
SPECS = [*RULE_SPECS.values(), DEFAULTS_SPEC]


# ------------------------------------------------------------------ judging
def _sub(case: Case, labels, exclude=(), got: dict | None = None) -> Case:
    """The case restricted to some outputs (forms and known mistakes alike), without the mistakes ``exclude``.

    With ``got`` (a run's outputs), the known mistakes whose every output (the stored state too) ``got``
    reproduces come first, so that of two mistakes taking the same steps the one storing the same state
    is named (momentum climbing the gradient or subtracting a right velocity; a state never stored or
    reset at every call)."""
    accepted = {form: {label: out[label] for label in labels} for form, out in case.accepted.items()}
    order = list(case.variants)
    if got is not None:
        order.sort(key=lambda m: not _same_outputs(got, case.variants[m]))
    variants = {m: {label: case.variants[m][label] for label in labels if label in case.variants[m]}
                for m in order if m not in exclude}
    return Case(case.inputs, accepted, variants)


def _same_outputs(got: dict, out: dict) -> bool:
    """Whether ``got`` has every output of ``out``: equal values, or both missing (a state never stored)."""
    for label, value in out.items():
        mine = got.get(label)
        if mine is None and value is None:
            continue
        if mine is None or value is None or compare(mine, value) is not None:
            return False
    return True


@contextmanager
def _grader_state(impl):
    """Calls the grader makes from a state it chose (the explicit zero state, the ``{}`` probe), not the
    submission: the RuntimeWarnings they raise (``t = 0`` dividing by zero in an Adam that starts t at 1) are
    not the student's, so they leave ``impl.warnings`` (which ``run_check`` notes in the message) as it was."""
    seen = getattr(impl, "warnings", None)
    before = len(seen) if seen is not None else 0
    try:
        yield
    finally:
        if seen is not None:
            del seen[before:]


def _attempt(ctx, inputs, from_zero_state: bool):
    """(outputs, first config, None), or (None, None, message) when the run raised or returned junk."""
    from ..grading import describe_error

    try:
        with _grader_state(ctx.impl) if from_zero_state else nullcontext():
            outputs, first = run_trajectory(ctx.impl, inputs, from_zero_state)
        return outputs, first, None
    except StudentRaised as exc:
        return None, None, describe_error(exc, ctx.lang, ctx.impl.last_call or f"{inputs['rule']}()")
    except _Unusable as exc:
        return None, None, TEXTS[exc.key](ctx.lang, **exc.fields)


def _lost_hyper(ctx, rule: str, hyper: dict, first: dict | None) -> Msg | str:
    if first is None:
        return ""
    lost = [key for key in hyper if key not in first]
    return TEXTS["lost_hyper"](ctx.lang, rule=rule, key=lost[0]) if lost else ""


def _where(label: str, case: Case) -> str:
    return f"{label} [{case.label}]" if case.label else label


def _matches(got: dict, case: Case, labels) -> bool:
    """Whether the outputs ``labels`` equal those of some accepted form."""
    return any(all(compare(got.get(label), out[label]) is None for label in labels) for out in case.accepted.values())


def _matching_mistakes(ctx, case: Case, got: dict, labels, exclude=()) -> list[str]:
    """The known mistake whose outputs ``got`` reproduces: first one that matches on every output it has (the
    trajectory too, which tells a velocity of the opposite sign with the right steps from one with the wrong
    steps), else one that matches on ``labels``; [] when none does."""
    known = [(m, out) for m, out in case.variants.items() if m in ctx.mistakes and m not in exclude]

    def same(out, labs) -> bool:
        return bool(labs) and all(lab in got and lab in out and compare(got[lab], out[lab]) is None for lab in labs)

    for found in ([m for m, out in known if same(out, list(out))], [m for m, out in known if same(out, labels)]):
        if found:
            return found[:1]
    return []


def _scalar(value) -> float | None:
    arr, _ = as_float_array(value)
    if arr is None or arr.size != 1 or not np.all(np.isfinite(arr)):
        return None
    return float(arr.reshape(()))


def _t_story(first: dict | None, final) -> tuple[str, float | None]:
    """What Adam's stored t shows over a run of N_STEPS calls: ("missing", None) never stored; ("constant", t)
    stored but never incremented; ("counts", t after the first call) one more per call; else ("other", None)."""
    if final is None:
        return "missing", None
    t1, tn = _scalar(None if first is None else first.get("t")), _scalar(final)
    if t1 is None or tn is None:
        return "other", None
    if t1 == tn:
        return "constant", tn
    if tn - t1 == N_STEPS - 1:
        return "counts", t1
    return "other", None


def _t_named(ctx, case: Case, own: dict, first: dict | None) -> Msg | str:
    """The mistake about t that an Adam run with a wrong trajectory shows, told by the t it stores: t never
    stored and t never incremented can give the same steps (t = 1 at each), and t never incremented from 0
    the same NaN as t incremented after use (t = 0 at the first step)."""
    kind, value = _t_story(first, own.get(state_label("t")))

    def steps_like(mistake_id: str) -> bool:
        out = case.variants.get(mistake_id)
        return out is not None and compare(own.get(TRAJ), out[TRAJ]) is None

    if kind == "constant":
        return TEXTS["t_constant"](ctx.lang, value=f"{value:g}", n=N_STEPS) + ctx.mistake("optim_adam_t_not_incremented")
    if kind == "missing" and steps_like("optim_adam_t_not_stored"):
        return ctx.mistake("optim_adam_t_not_stored")
    if kind == "counts" and value == 1 and steps_like("optim_adam_t_late"):
        return ctx.mistake("optim_adam_t_late")
    return ""


def _graded(ctx, case: Case, labels) -> tuple[str, bool]:
    """(form, whether it took the explicit zero state) when the outputs ``labels`` match; else Fail.

    The run starts from the submission's own initial state; when that fails
    and the rule has state, it is repeated from the explicit zero state.
    """
    rule = case.inputs["rule"]
    # the initial-state mistakes pass from the explicit zero state; t's are named from the stored t
    sub = _sub(case, labels, exclude=INIT_MISTAKES + T_MISTAKES)
    own, first, message = _attempt(ctx, case.inputs, False)
    if own is not None:
        form, message = judge(own, _sub(case, labels, INIT_MISTAKES + T_MISTAKES, own), ctx.lang,
                              mistakes=ctx.mistakes)
        if message is None:
            return form, False
        if rule == "adam" and not as_msg(message).mistakes:
            message = message + _t_named(ctx, case, own, first)
    if STATE[rule]:
        zero = _attempt(ctx, case.inputs, True)[0]
        if zero is not None:
            form, detail = judge(zero, sub, ctx.lang, mistakes=ctx.mistakes)
            if detail is None:
                return form, True
            if own is None:  # its own start raised: say what the explicit start got wrong too
                message = TEXTS["explicit_run"](ctx.lang, own=message, zero=ZERO_STATE[rule], detail=detail)
    raise Fail(message + _lost_hyper(ctx, rule, case.inputs["hyper"], first))


def rule_check(spec: CaseSpec, ctx):
    """The trajectory matches the reference in one accepted form (own start, else explicit zero state)."""
    forms, explicit = set(), False
    rule = spec.key.split(".")[1]
    for case in ctx.cases(spec):
        form, via_zero = _graded(ctx, case, (TRAJ,))
        forms.add(form)
        explicit = explicit or via_zero
    notes = []
    if explicit:
        notes.append(TEXTS["explicit_ok"](ctx.lang, zero=ZERO_STATE[rule], rule=rule))
    if len(spec.forms) > 1 and len(forms) == 1:
        notes.append(t("form_recognised", ctx.lang, form=FORM_NAMES[forms.pop()](ctx.lang)))
    return Msg.join(" ", notes) if notes else None


def _state_problem(ctx, case: Case, own: dict, first: dict | None, keys, missing_mistake: str) -> Msg:
    """Why the state ``keys`` stored by a run from the submission's own start is not the course's: every
    missing or wrong key, and the known mistake it shows, else the convention it is compared with."""
    rule = case.inputs["rule"]
    missing = [key for key in keys if own.get(state_label(key)) is None]
    if missing:
        return (TEXTS["missing_state"](ctx.lang, rule=rule, key=missing[0], case=case.label)
                + ctx.mistake(missing_mistake))
    expected = next(iter(case.accepted.values()))
    details, wrong = [], []
    for key in keys:
        mismatch = compare(own[state_label(key)], expected[state_label(key)])
        if mismatch is not None:
            wrong.append(key)
            details.append(mismatch.describe(_where(state_label(key), case), ctx.lang))
    if "t" in wrong and _t_story(first, own[state_label("t")])[0] == "constant":
        named = ["optim_adam_t_not_incremented"]
    else:
        named = _matching_mistakes(ctx, case, own, [state_label(key) for key in wrong], exclude=INIT_MISTAKES)
    if not named:  # a wrong state no mistake stores: the one whose steps it takes made it (EMA momentum, …)
        named = _matching_mistakes(ctx, case, own, [TRAJ], exclude=INIT_MISTAKES + STATE_ONLY_MISTAKES)
    message = Msg.join(" ", details)
    if named:
        return message + Msg.join("", [ctx.mistake(m) for m in named])
    return message + Msg.join("", [TEXTS["convention"](ctx.lang, key=key, formula=CONVENTION[(rule, key)](ctx.lang))
                                   for key in wrong])


def _consistent_mistake(ctx, case: Case, runs) -> str | None:
    """The known mistake of the update rule that one of ``runs`` reproduces in every output, trajectory and
    stored state alike, when none of the mistakes it reproduces targets this check: the state is stored and
    carried right, it only holds what the (wrong) rule computes. None otherwise (and when a mistake about the
    state itself, one that targets this check, gives the same outputs)."""
    check_id = ctx.check.id
    for run in runs:
        if run is None:
            continue
        found = [m for m, out in case.variants.items() if m in ctx.mistakes and out and _same_outputs(run, out)]
        if found and not any(check_id in ctx.mistakes[m].targets for m in found):
            return found[0]
    return None


def _state_checked(ctx, case: Case, keys, missing_mistake: str) -> Msg | None:
    """The stored state ``keys`` after the run match the reference (own start, else explicit zero state);
    or they are exactly what a known mistake of the rule stores (:func:`_consistent_mistake`), which this
    check does not score again: a note that it keeps its points. Fail otherwise."""
    labels = [state_label(key) for key in keys]
    own, first, error = _attempt(ctx, case.inputs, False)
    if own is not None and _matches(own, case, labels):
        return None
    zero = _attempt(ctx, case.inputs, True)[0]
    if zero is not None and _matches(zero, case, labels):
        return None
    mistake_id = _consistent_mistake(ctx, case, (own, zero))
    if mistake_id is not None:
        rule = case.inputs["rule"]
        # the rule's mistake is said, not recorded: this check passes, and a passing check names no mistake
        return TEXTS["state_kept"](ctx.lang, rule=rule, keys=", ".join(keys)) + \
            t("mistake", ctx.lang, mistake=ctx.mistakes[mistake_id](ctx.lang))
    raise Fail(error if own is None else _state_problem(ctx, case, own, first, keys, missing_mistake))


def _state_notes(notes) -> Msg | None:
    notes = [note for note in notes if note is not None]
    return Msg.join(" ", notes) if notes else None


def check_stored_state(rule: str, ctx):
    keys = [key for key in STATE[rule] if key != "t"]
    return _state_notes([_state_checked(ctx, case, keys, "optim_state_not_stored")
                         for case in ctx.cases(RULE_SPECS[rule])])


def check_t(ctx):
    return _state_notes([_state_checked(ctx, case, ["t"], "optim_adam_t_not_stored")
                         for case in ctx.cases(RULE_SPECS["adam"])])


#: (rule, state key, the value it started at) -> the known mistake that starts it there (Adam's t: see
#: :func:`_t_start_mistakes`, the start alone does not tell which)
_KNOWN_STARTS = {("adagrad", "cache", 0.1): "optim_adagrad_cache_starts_at_0_1"}


def _start_values(rule: str, hyper: dict, own: dict, zero: dict, lang: str) -> tuple[list[str], list[str]]:
    """What each state key started at, estimated from the first call (own − zero = decay·start).

    Returns (sentences, known mistake ids).
    """
    found, known = [], []
    for key in STATE[rule]:
        a, _ = as_float_array(own.get(key))
        b, _ = as_float_array(zero.get(key))
        if a is None or b is None or a.shape != b.shape or compare(a, b) is None:
            continue
        factor = _DECAY[(rule, key)]
        start = (a - b) / (hyper[factor] if factor else 1.0)
        value = float(start.flat[0]) if start.size else 0.0
        if np.all(np.isfinite(start)) and np.ptp(start) <= 1e-6 * max(abs(value), 1e-12):
            found.append(TEXTS["init_starts_at"](lang, key=key, value=f"{value:.6g}"))
            known += [m for (r, k, v), m in _KNOWN_STARTS.items() if (r, k) == (rule, key) and np.isclose(value, v)]
        else:
            found.append(TEXTS["init_not_zero"](lang, key=key))
    return found, known


def _t_start_mistakes(own: dict, first: dict | None, own_right: bool, zero_right: bool) -> list[str]:
    """Adam's t mistake that its own start shows. t stored one more per call from 2 after the first call: it
    started at 1; incremented *after* use, the first step used t = 1, which is right (the trajectory is the
    reference's, only the stored t is one ahead); incremented *before* use, the first step used t = 2 (the
    trajectory is wrong, and right from t = 0). A t that never changes was never incremented."""
    kind, t1 = _t_story(first, own.get(state_label("t")))
    if kind == "constant":
        return ["optim_adam_t_not_incremented"]
    if kind == "counts" and t1 == 2:
        if own_right:
            return ["optim_adam_t_from_1_after_use"]
        if zero_right:
            return ["optim_adam_t_starts_at_1"]
    return []


def _init_problem(ctx, case: Case) -> Msg | None:
    """None when the rule's own start is right (or behaves like the explicit zero state)."""
    rule, inputs = case.inputs["rule"], case.inputs
    labels = [TRAJ] + [state_label(key) for key in STATE[rule]]
    own, first, error = _attempt(ctx, inputs, False)
    if own is not None and judge(own, _sub(case, labels), ctx.lang, mistakes=ctx.mistakes)[1] is None:
        return None
    zero, first_zero, _ = _attempt(ctx, inputs, True)
    if zero is None:
        if own is None:
            raise Fail(error)  # the rule does not run at all: nothing to say about its start
        return None
    if own is None:
        key = next(k for k in STATE[rule] if k != "t")
        return TEXTS["init_raised"](ctx.lang, rule=rule, error=error, zero=ZERO_STATE[rule], key=key)
    differs = [label for label in labels if own.get(label) is not None and zero.get(label) is not None
               and compare(own[label], zero[label]) is not None]
    if not differs:
        return None
    own_right, zero_right = _matches(own, case, [TRAJ]), _matches(zero, case, [TRAJ])
    found, known = _start_values(rule, inputs["hyper"], first, first_zero, ctx.lang)
    if rule == "adam":
        known += _t_start_mistakes(own, first, own_right, zero_right)
    found = Msg.join(" ", found) if found else TEXTS["init_generic"](ctx.lang)
    if own_right:  # the steps are right: say which state is not the course's
        expected = next(iter(case.accepted.values()))
        detail = Msg.join(" ", [mismatch.describe(_where(label, case), ctx.lang) for label in labels[1:]
                                if (mismatch := compare(own.get(label), expected[label])) is not None])
        message = TEXTS["init_state_only"](ctx.lang, rule=rule, zero=ZERO_STATE[rule], detail=detail, found=found)
    else:
        message = TEXTS["init_differs"](ctx.lang, rule=rule, zero=ZERO_STATE[rule],
                                        right=TEXTS["init_right"](ctx.lang) if zero_right else "", found=found)
    for mistake_id, outputs in case.variants.items():
        if mistake_id not in known and all(
                label in own and compare(own[label], value) is None for label, value in outputs.items()):
            known.append(mistake_id)
    return message + Msg.join("", [ctx.mistake(m) for m in dict.fromkeys(known) if m in ctx.mistakes])


def check_initial_state(rule: str, ctx):
    problems = []
    for case in ctx.cases(RULE_SPECS[rule]):
        problem = _init_problem(ctx, case)
        if problem:
            problems.append(problem)
    if problems:
        raise Fail(Msg.join(" ", problems))


def _fails_like(ctx, inputs, rule: str, exc: StudentRaised) -> bool:
    """Whether ``rule(w, dw, {})`` raises as ``rule(w, dw, None)`` did: then the trouble is creating
    the state (the initial-state check's business), not handling config=None."""
    try:
        with _grader_state(ctx.impl):
            run_defaults(ctx.impl, inputs, rule, {})
    except StudentRaised as other:
        return (other.exc_type, other.detail) == (exc.exc_type, exc.detail)
    except _Unusable:
        return False
    return False


def _defaults_problem(ctx, case: Case, rule: str, got: dict, expected: dict) -> Msg | None:
    """None when ``rule(w, dw, None)`` stored every default; else each missing or wrong one (all of them)."""
    labels = _default_labels(rule)
    if _matches(got, case, labels):
        return None
    reference = case.accepted["reference"]
    parts, named = [], []
    for label, key in zip(labels, HYPER[rule]):
        if got.get(label) is None:
            value = f"{float(np.asarray(expected[key])):g}"
            parts.append(TEXTS["missing_hyper"](ctx.lang, rule=rule, key=key, value=value))
        elif (mismatch := compare(got[label], reference[label])) is not None:
            parts.append(mismatch.describe(_where(label, case), ctx.lang))
            # each wrong default on its own: a known mistake whose default of this key it is (several at once)
            named += [m for m in _matching_mistakes(ctx, case, got, [label]) if m not in named]
    return Msg.join(" ", parts) + Msg.join("", [ctx.mistake(m) for m in named])


def check_defaults(rule: str, ctx):
    """config=None stores the SPEC's defaults, and next_w equals the step with those values passed explicitly.

    Comparing the two steps of the submission (not the reference's step)
    keeps this check apart from the update rule and the initial state.
    """
    labels = _default_labels(rule)
    for case in ctx.cases(DEFAULTS_SPEC):
        sub = _sub(case, labels)
        expected = {key: sub.accepted["reference"][label] for label, key in zip(labels, HYPER[rule])}
        start = None  # config=None; a rule that cannot create its state gets it explicitly
        try:
            try:
                next_w, got = run_defaults(ctx.impl, case.inputs, rule)
            except StudentRaised as exc:
                if not STATE[rule] or not _fails_like(ctx, case.inputs, rule, exc):
                    raise
                start = zero_state(rule, case.inputs["w"].shape)  # its start is the initial-state check's
                with _grader_state(ctx.impl):
                    next_w, got = run_defaults(ctx.impl, case.inputs, rule, dict(start))
            problem = _defaults_problem(ctx, sub, rule, got, expected)
            if problem is None:
                with _grader_state(ctx.impl) if start else nullcontext():
                    explicit_w = run_defaults(ctx.impl, case.inputs, rule, {**(start or {}), **expected})[0]
        except _Unusable as exc:
            raise Fail(TEXTS[exc.key](ctx.lang, **exc.fields)) from None
        if problem is not None:
            raise Fail(problem)
        mismatch = compare(next_w, explicit_w)
        if mismatch:
            values = ", ".join(f"{key}={float(np.asarray(v)):g}" for key, v in expected.items())
            raise Fail(TEXTS["defaults_unused"](ctx.lang, rule=rule, values=values,
                                                detail=mismatch.describe("next_w", ctx.lang)))


def _rule_checks():
    hidden_points = {"sgd": 0.5, "sgd_momentum": 0.5}
    checks = []
    for rule in RULES:
        spec = RULE_SPECS[rule]
        run = partial(rule_check, spec)
        checks.append(Check(f"{rule}: trajectory (fixtures)", 1, run, (rule,), cell=rule,
                            id=rule, title_es=f"{rule}: trayectoria (casos públicos)"))
        checks.append(Check(f"{rule} (hidden): trajectory with fresh gradients and hyper-parameters",
                            hidden_points.get(rule, 1), run, (rule,), hidden=True, cell=rule, id=f"{rule}_hidden",
                            title_es=f"{rule} (oculta): trayectoria con gradientes e hiperparámetros nuevos"))
    return checks


#: the state cell's points (3, the three property checks of before) shared by its per-rule checks, equally:
#: 16 checks of 3/16 (exact in binary, so every sum of points is exact)
STATE_CELL_POINTS = 3.0
#: the rule whose checks keep the seeds (the titles) of the all-rule property checks they were split from
OLD_IDS_RULE = "adam"


def _state_checks():
    def stored(rule):
        keys = [key for key in STATE[rule] if key != "t"]
        return ", ".join(keys), ("se escribe" if len(keys) == 1 else "se escriben")

    properties = [
        ("initial_state", "initial state: zeros and t = 0", STATEFUL, check_initial_state,
         lambda r: (f"{r}: initial state ({ZERO_STATE[r]})", f"{r}: estado inicial ({ZERO_STATE[r]})")),
        ("defaults", "defaults: config=None uses the course's hyper-parameters", RULES, check_defaults,
         lambda r: (f"{r}: defaults: config=None uses the course's hyper-parameters",
                    f"{r}: valores por defecto: config=None usa los hiperparámetros del curso")),
        ("stored_state", "stored state: velocity, cache, m, v written back into config", STATEFUL, check_stored_state,
         lambda r: (f"{r}: stored state: {stored(r)[0]} written back into config",
                    f"{r}: estado guardado: {stored(r)[0]} {stored(r)[1]} de vuelta en config")),
    ]
    points = STATE_CELL_POINTS / sum(len(rules) for _, _, rules, _, _ in properties)
    checks = []
    for prop, old_title, rules, run, titles in properties:
        for rule in rules:
            en, es = titles(rule)
            keeps = rule == OLD_IDS_RULE
            checks.append(Check(en, points, partial(run, rule), (rule,), cell="state",
                                id=f"{prop}_{rule}", title_es=es,
                                seed=old_title if keeps else ""))
    return checks


CHECKS = [
    *_rule_checks(),
    Check("adam: config['t'] equals the number of steps", 1, check_t, ("adam",), cell="adam",
          id="adam_t", title_es="adam: config['t'] es igual al número de pasos"),
    *_state_checks(),
]
