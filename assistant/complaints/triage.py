"""Complaint triage: category, sentiment, severity, fault and language, with or without an LLM.

The no-LLM path combines cue lexicons (assistant/complaints/lexicon.py) with two classifiers trained
at first use on assistant/complaints/data/complaints_train.jsonl (2,659 texts from some thirty
kinds of shop, zh (Simplified, Traditional, Cantonese, slang) and en, read in simplified
characters; data/README.md gives the labelling conventions): TF-IDF over characters and jieba
tokens, and logistic regression over multilingual-e5 vectors (shipped precomputed beside the
texts), which carries a complaint told in words no lexicon lists; vaderSentiment (en) and snownlp
plus a small lexicon (zh) give sentiment. An LLM, when given, is a second opinion: its label is
taken only where the rules call theirs close (_merge). `label_source` records which path produced
each label.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import prompts
from assistant.complaints import lexicon as lex
from assistant.core.records import InvalidInput
from assistant.lang.names import to_simplified
from assistant.lang.writing_system import HAN, HAN_CLASS, script_counts
from knowledge.embedder import MultilingualE5Embedder, query_vectors

CATEGORIES = ("product_quality", "wrong_or_missing_item", "delivery", "service_attitude",
              "price_billing_refund", "waiting_time", "hygiene_environment", "other")
SEVERITIES = ("low", "medium", "high", "critical")
FAULTS = ("business", "customer", "unclear")
NOT_COMPLAINT = "not_complaint"  # extra class for the classifier only
# What an LLM must answer (prompts/triage.md), as a JSON schema a local model's grammar can enforce.
# Sentiment is a tenth-step enum: any number would let the grammar emit 5 or sixteen decimals.
LLM_SCHEMA = {
    "type": "object",
    "properties": {
        "is_complaint": {"type": "boolean"},
        "category": {"enum": list(CATEGORIES)},
        "sentiment": {"enum": [round(i / 10, 1) for i in range(-10, 11)]},
        "severity": {"enum": list(SEVERITIES)},
        "fault": {"enum": list(FAULTS)},
        "fault_clue": {"type": "string", "maxLength": 40},
        "language": {"enum": ["zh", "en"]},
    },
    "required": ["is_complaint", "category", "sentiment", "severity", "fault", "fault_clue",
                 "language"],
    "additionalProperties": False,
}
# Long texts are cut before analysis: the opening carries the complaint, and snownlp is O(n) in pure
# Python (a 20 kB paste must not stall the chat).
MAX_ANALYSED_CHARS = 4000
TRAIN_PATH = Path(__file__).parent / "data" / "complaints_train.jsonl"
_WORDISH = re.compile(rf"[\w{HAN_CLASS}]", re.UNICODE)
# Where the rules call a label close, the LLM's label is taken. Both
# cut-offs were chosen on the main labelled set only (bench/data/complaints_labelled.jsonl); the
# complaint band was 0.1 until the classifiers' share of that score grew by half (below), and was
# widened with it: on the own sets 7 of 234 texts now fall inside, holding 3 of the rules' 5
# wrong verdicts.
COMPLAINT_MARGIN = 0.2  # |complaint score - cut-off| below this: a borderline verdict
# The classifiers' share of the complaint score against cue words and sentiment; chosen with the
# cut-off (0.7) and the question penalty on the own sets and blind v1 and v2 (dev sets now)
# together: is_complaint accuracy rose on each of them, the held-out set included.
COMPLAINT_MODEL_WEIGHT = 1.5
EXASPERATED = ("??", "？？", "?!", "？！", "!?", "！？")
# The classifiers' share against the cue lexicon in the category blend, and the encoder's share of
# the classifiers' probabilities; both chosen on the own labelled sets (main and held-out), never
# on the blind set: with 1,734 training texts from many kinds of shop, the classifiers now carry
# most of the weight (re-checked at 1,734 texts by cross-validation grouped by kind of shop and
# on blind v1: 0.3-0.7 and 0.8-0.9 were all within noise of these; re-checked at ~2,500 texts on
# blind v1 and v2, where 0.8-0.9 and 0.5-0.7 were too, as were WORDS_C 4-16 and ENCODER_C 10-30).
MODEL_WEIGHT = 0.8
ENCODER_SHARE = 0.5
TRAIN_VECTORS = Path(__file__).parent / "data" / "complaints_train.e5.npz"
# Clauses as owners write them when they log a visit, a sale or a plan, for the clause reader
CLAUSES_PATH = Path(__file__).parent / "data" / "owner_clauses.jsonl"
CLAUSES_VECTORS = Path(__file__).parent / "data" / "owner_clauses.e5.npz"
# the clause reader's label for a grievance told in an owner's words: it judges only whether
REPORTED = "reported_complaint"
# Inverse regularisation of the two classifiers (word/character and encoder).
WORDS_C = 8.0
ENCODER_C = 10.0
CATEGORY_LEAD = 0.1  # top blended category score minus the runner-up's below this: a near tie
FAINT = 0.05  # a polarity above -FAINT is not read as negative (vaderSentiment's neutral band)
_EN_NEGATION = re.compile(r"(?:\bnot|n't|\bno|\bnever)\s+(?:\w+\s+)?$")


@dataclass(frozen=True)
class Triage:
    """Labels for one text; `label_source` says which path produced each label."""

    is_complaint: bool
    category: str
    sentiment: float
    severity: str
    fault: str
    fault_clue: str | None
    language: str
    label_source: str

    @property
    def sources(self) -> dict[str, str]:
        """label_source as {field: path}."""
        return dict(part.split("=", 1) for part in self.label_source.split(";") if "=" in part)

    def labels(self) -> dict:
        """The columns store.log_complaint accepts."""
        d = asdict(self)
        return {k: d[k] for k in ("category", "sentiment", "severity", "fault", "fault_clue",
                                  "language", "label_source")}


def detect_language(text: str) -> str:
    """'zh' when Chinese characters carry the text, else 'en' (emoji-only text counts as 'en')."""
    cjk, words = script_counts(text)
    # One Chinese character carries less than one English word; 1.5 chars per word is the break-even.
    return "zh" if cjk and cjk >= 1.5 * words else "en"


@cache
def _patterns(cues: tuple[str, ...], lang: str) -> tuple[tuple[str, re.Pattern[str] | None], ...]:
    """Compile each English cue once (re's own cache holds 512 patterns, fewer than the cues)."""
    out = []
    for cue in cues:
        if lang == "zh" or not cue[:1].isalpha():
            out.append((cue, None))
        else:
            out.append((cue, re.compile(r"(?<![a-z])" + re.escape(cue.strip())
                                        + r"(?:s|es|d|ed)?(?![a-z])")))
    return tuple(out)


def _hits(text_lower: str, cues: tuple[str, ...], lang: str) -> list[str]:
    """Cues found in the text; English cues must sit on word boundaries (plural/past allowed)."""
    return [cue for cue, pattern in _patterns(cues, lang)
            if (pattern.search(text_lower) if pattern else cue in text_lower)]


def _both(text_lower: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    """Hits from both languages' cues, so mixed zh/en text is read in full."""
    return _hits(text_lower, table["en"], "en") + _hits(text_lower, table["zh"], "zh")


def _negated(text_lower: str, cue: str) -> bool:
    """True when the cue is preceded by a negation ("not my fault", "不是我的错")."""
    i = text_lower.find(cue)
    before = text_lower[max(0, i - 14):i]
    return bool(_EN_NEGATION.search(before)) or before.endswith(("不是", "并非", "并不是", "非"))


def _tokens(text: str) -> list[str]:
    """jieba tokens (handles mixed zh/en), lower-cased, without spaces and punctuation."""
    import jieba

    return [t.lower() for t in jieba.lcut(text) if _WORDISH.search(t)]


def _training_rows() -> tuple[list[str], list[str]]:
    """Training texts in simplified characters (as classify() reads them) and their labels."""
    rows = [json.loads(line) for line in TRAIN_PATH.read_text("utf-8").splitlines() if line]
    # Traditional and Cantonese lines are written as customers write them; both classifiers see
    # the simplified form, as they do at triage time.
    texts = [to_simplified(r["text"]) for r in rows]
    return texts, [r["category"] if r["is_complaint"] else NOT_COMPLAINT for r in rows]


@lru_cache(maxsize=1)
def _model():
    """Train the category classifier once per process (a few seconds on the shipped data)."""
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
    texts, labels = _training_rows()
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
        TfidfVectorizer(tokenizer=_tokens, token_pattern=None, lowercase=False,
                        ngram_range=(1, 2), sublinear_tf=True),
    )
    model = make_pipeline(features, LogisticRegression(C=WORDS_C, max_iter=2000,
                                                       class_weight="balanced"))
    model.fit(texts, labels)
    return model


def warm_up() -> None:
    """Train the classifiers now (seconds on 2 cores), so the first complaint does not wait."""
    _model()
    _encoder_model()
    _clause_model()


@lru_cache(maxsize=1)
def _encoder_model() -> tuple[Any, Any]:
    """(encoder, classifier over its vectors): meaning across wordings a lexicon never lists."""
    from sklearn.linear_model import LogisticRegression

    encoder = MultilingualE5Embedder()
    texts, labels = _training_rows()
    vectors = query_vectors(encoder, texts, TRAIN_VECTORS)
    return encoder, LogisticRegression(C=ENCODER_C, max_iter=3000, class_weight="balanced").fit(
        vectors, labels)


@lru_cache(maxsize=1)
def _clause_model() -> Any:
    """The encoder's classifier for one clause of a logged conversation: the training texts plus
    clauses as owners log a visit, a sale or a plan. Customers' messages alone taught it that any
    narration is a grievance ("这次没有买东西" scored 0.99)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    encoder, _ = _encoder_model()
    texts, labels = _training_rows()
    rows = [json.loads(line) for line in CLAUSES_PATH.read_text("utf-8").splitlines() if line.strip()]
    clauses = [to_simplified(r["text"]) for r in rows]
    vectors = np.vstack([query_vectors(encoder, texts, TRAIN_VECTORS),
                         query_vectors(encoder, clauses, CLAUSES_VECTORS)])
    return LogisticRegression(C=ENCODER_C, max_iter=3000, class_weight="balanced").fit(
        vectors, labels + [REPORTED if r["is_complaint"] else NOT_COMPLAINT for r in rows])


def _encoder_probabilities(text: str, over_vectors: Any = None) -> dict[str, float]:
    """Class probabilities of a text by a classifier over its encoder vector (by default the
    whole-message one)."""
    encoder, whole = _encoder_model()
    over_vectors = whole if over_vectors is None else over_vectors
    return dict(zip(over_vectors.classes_,
                    over_vectors.predict_proba([encoder.embed_query(text)])[0]))


def _probabilities(text: str) -> dict[str, float]:
    """Class probabilities: the word / character classifier and the encoder's, averaged."""
    words = _model()
    probs = dict(zip(words.classes_, words.predict_proba([text])[0]))
    deep = _encoder_probabilities(text)
    return {c: (1 - ENCODER_SHARE) * p + ENCODER_SHARE * deep.get(c, 0.0) for c, p in probs.items()}


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _zh_lexicon_score(text: str) -> float:
    """Polarity from shop words, flipping a word preceded by a negator ("不好" is negative)."""
    score = 0.0
    for words, sign in ((lex.ZH_POSITIVE_WORDS, 1.0), (lex.ZH_NEGATIVE_WORDS, -1.0)):
        for w in words:
            for m in re.finditer(re.escape(w), text):
                negated = text[max(0, m.start() - 1):m.start()] in lex.ZH_NEGATORS
                # "不错" (not bad) is a fixed positive; "不新鲜" already lists its negation.
                score += -sign if negated and w not in ("错",) else sign
    if "不错" in text:
        score += 2.0  # "错" counted -1 above and the phrase means "good"
    return math.tanh(score / 2)


def sentiment(text: str, language: str | None = None) -> tuple[float, str]:
    """Polarity in [-1, 1] and the path that produced it (vader, snownlp+lexicon, or both)."""
    cjk, words = script_counts(text)
    parts: list[tuple[float, float]] = []
    names = []
    if words:
        parts.append((_vader().polarity_scores(text)["compound"], words))
        names.append("vader")
    if cjk:
        from snownlp import SnowNLP

        zh = "".join(ch for ch in text if not ch.isascii() or ch in "，。！？")
        snow = 2 * SnowNLP(zh).sentiments - 1
        parts.append((0.4 * snow + 0.6 * _zh_lexicon_score(zh), cjk / 1.5))
        names.append("snownlp+lexicon")
    if not parts:
        return 0.0, "none"
    total = sum(w for _, w in parts)
    value = sum(v * w for v, w in parts) / total
    return round(max(-1.0, min(1.0, value)), 3), "+".join(names)


def _category(text: str, low: str, probs: dict[str, float]) -> tuple[str, str, str, float]:
    """Blend cue hits with classifier probabilities: (category, runner-up, source, lead)."""
    rule = {c: sum(1.5 if len(h) >= 8 or (HAN.search(h) and len(h) >= 3) else 1.0
                   for h in _both(low, lex.CATEGORY_CUES[c])) for c in CATEGORIES}
    # "other" cues are weak evidence: only win when nothing more specific fired.
    rule["other"] *= 0.5
    model = {c: probs.get(c, 0.0) for c in CATEGORIES}
    z = sum(model.values()) or 1.0
    model = {c: p / z for c, p in model.items()}
    total = sum(rule.values())
    blended = {c: MODEL_WEIGHT * model[c] + (1 - MODEL_WEIGHT) * rule[c] / total
               for c in CATEGORIES} if total else model
    first, second = sorted(blended, key=blended.__getitem__, reverse=True)[:2]
    return (first, second, "rules+model" if total else "model",
            float(blended[first] - blended[second]))


def _complaint_score(low: str, senti: float, probs: dict[str, float]) -> float:
    """Above 0 reads as a complaint; below 0 as praise, a question or a plain request."""
    # A customer admitting a mistake is still reporting a problem they need help with.
    complaint = len(_both(low, lex.COMPLAINT_CUES)) + len(_both(low, lex.CUSTOMER_FAULT_CUES))
    praise = len(_both(low, lex.NON_COMPLAINT_CUES))
    # The classifiers' verdict carries most weight: praise words and a cheerful sentiment score
    # also open complaints told with a smile or a sneer ("Lovely people. Wrong trousers.",
    # "呵呵，说好的防水手表"), so they only tip texts the classifiers are unsure about.
    score = COMPLAINT_MODEL_WEIGHT * (1 - probs.get(NOT_COMPLAINT, 0.0)) \
        + 0.3 * math.tanh(complaint) - 0.4 * math.tanh(praise) - 0.5 * senti
    end = low.rstrip()
    # A calm question is an enquiry until it says otherwise; "??" or "?!" is exasperation.
    if end.endswith(("?", "？", "吗")) and not end.endswith(EXASPERATED) and not complaint \
            and senti > -0.3:
        score -= 0.15
    return float(score - 0.7)


def _severity(low: str, senti: float, fault: str, prior_complaints: int) -> tuple[str, str]:
    """Rules: safety → critical; leave / go public / legal / repeat → high; mild wording → low."""
    cues = lex.SEVERITY_CUES
    if _both(low, cues["critical"]):
        return "critical", "rules"
    if _both(low, cues["high"]) or senti <= -0.85:
        level = "high"
    elif _both(low, cues["low"]) or fault == "customer":
        level = "low"
    else:
        level = "medium"
    if prior_complaints > 0:
        # A repeat complaint is raised one level; critical stays reserved for safety.
        level = SEVERITIES[min(SEVERITIES.index(level) + 1, 2)]
        return level, "rules+history"
    return level, "rules"


def _fault(low: str, category: str) -> tuple[str, str | None]:
    """Customer admissions win, then signs that nobody can tell yet; otherwise the shop owns it."""
    for cue in _both(low, lex.CUSTOMER_FAULT_CUES):
        if not _negated(low, cue):
            return "customer", cue
    unclear = _both(low, lex.UNCLEAR_FAULT_CUES)
    if unclear:
        return "unclear", unclear[0]
    # The protocol treats the shop as responsible for what it sold, delivered and charged.
    business = _both(low, lex.BUSINESS_FAULT_CUES) or _both(low, lex.CATEGORY_CUES[category])
    return "business", business[0] if business else None


def _rules(text: str, prior_complaints: int, is_complaint: bool | None = None
           ) -> tuple[Triage, dict[str, str], dict]:
    """The no-LLM labels, their sources, and how close the rules' calls were (read by _merge)."""
    language = detect_language(text)
    if not _WORDISH.search(text):
        # Emoji, punctuation or symbols only: nothing to triage, so not a complaint.
        src = {"is_complaint": "rules", "category": "rules", "sentiment": "none",
               "severity": "rules", "fault": "rules", "language": "rules"}
        return Triage(False, "other", 0.0, "low", "unclear", None, language, ""), src, {}
    low = text.lower()
    senti, senti_src = sentiment(text, language)
    probs = _probabilities(text)
    margin = _complaint_score(low, senti, probs)
    src = {"is_complaint": "rules+model"}
    if is_complaint is None:
        is_complaint = margin >= 0
    else:
        src["is_complaint"] = "llm"  # the caller overrode a borderline rules verdict
    category, runner_up, cat_src, lead = _category(text, low, probs)
    signals = {"complaint_margin": margin, "category_lead": lead, "runner_up": runner_up}
    if is_complaint:
        fault, clue = _fault(low, category)
        severity, sev_src = _severity(low, senti, fault, prior_complaints)
        if fault != "customer":
            # Lexicon scorers read factual complaints ("order came without the rice") as neutral;
            # a complaint about the shop leans negative, so cap its score below zero.
            senti = round(min(senti, 0.5 * senti - 0.35), 3)
            senti_src += "+rules"
    else:
        category, cat_src = "other", "rules+model"
        severity, sev_src, fault, clue = "low", "rules", "unclear", None
        if low.rstrip().endswith(("?", "？", "吗")) and senti < 0:
            # snownlp reads most questions as negative; an enquiry is close to neutral.
            senti, senti_src = round(senti * 0.2, 3), senti_src + "+rules"
    src.update({"category": cat_src, "sentiment": senti_src, "severity": sev_src,
                "fault": "rules", "language": "rules"})
    return Triage(is_complaint, category, senti, severity, fault, clue, language, ""), src, signals


def complaint_probability(text: str) -> float:
    """The probability that a clause of a logged conversation is a complaint, by the encoder's
    clause classifier: it reads meaning, so "等了半小时" and "the grinder never worked" score high
    and "这次没有买东西" does not."""
    text = to_simplified(text or "")[:MAX_ANALYSED_CHARS]
    if not _WORDISH.search(text):
        return 0.0
    return float(1.0 - _encoder_probabilities(text, _clause_model()).get(NOT_COMPLAINT, 0.0))


def _source_string(src: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in src.items())


def _parse_llm(raw: str) -> dict:
    """The first JSON object in the model's answer, or {} when there is none."""
    match = re.search(r"\{.*\}", raw or "", re.DOTALL)
    if not match:
        return {}
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _valid_llm_fields(data: dict) -> dict:
    """Keep only well-formed labels: enum members, booleans, a number in [-1, 1]."""
    ok: dict = {}
    if isinstance(data.get("is_complaint"), bool):
        ok["is_complaint"] = data["is_complaint"]
    # Language is not taken from the LLM: counting scripts is exact, and a small model got it
    # wrong (labelled a Chinese complaint "en").
    for key, allowed in (("category", CATEGORIES), ("severity", SEVERITIES), ("fault", FAULTS)):
        if data.get(key) in allowed:
            ok[key] = data[key]
    s = data.get("sentiment")
    if isinstance(s, (int, float)) and not isinstance(s, bool) and -1 <= s <= 1:
        ok["sentiment"] = round(float(s), 3)
    if ok.get("fault") in ("business", "customer") and isinstance(data.get("fault_clue"), str):
        ok["fault_clue"] = data["fault_clue"][:200]
    return ok


def classify(text: str, llm: Callable[[str], str] | None = None,
             prior_complaints: int = 0) -> Triage:
    """Triage one customer message; `llm(prompt) -> JSON str` is an optional second opinion."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("The complaint text is empty. Paste what the customer wrote.")
    text = text.strip()[:MAX_ANALYSED_CHARS]
    # the cue lexicons and the classifier's training lines are simplified Chinese
    base, src, signals = _rules(to_simplified(text), prior_complaints)
    if llm is None or not signals:  # no words, nothing for a second opinion to read
        return _with_source(base, src)

    # The customer's words go into the prompt as quoted data; only the labels come back.
    raw = llm(prompts.load("triage", text=json.dumps(text, ensure_ascii=False)))
    return _merge(text, base, src, signals, _valid_llm_fields(_parse_llm(raw)), prior_complaints)


def _merge(text: str, base: Triage, src: dict[str, str], signals: dict, answer: dict,
           prior_complaints: int) -> Triage:
    """The rules' labels, with the LLM's only where the rules themselves call it close."""
    # Alone, the local LLM was worse than the rules on every field (bench/complaints.py). On the
    # main labelled set it was right on all 5 borderline complaint verdicts the rules got wrong,
    # and on 5 of 7 complaints the rules scored as not negative; but on 0 of 43 fault and 3 of
    # 107 severity disagreements (1 of its 23 raises). So fault and severity stay with the rules:
    # the LLM never lowers a severity, and does not raise one either.
    verdict = answer.get("is_complaint")
    # "Not a complaint" would drop severity to low: a safety, leave/go-public or repeat rule
    # that raised it to high or critical is not overruled that way either.
    keep = verdict is False and SEVERITIES.index(base.severity) >= SEVERITIES.index("high")
    if verdict is not None and verdict != base.is_complaint and not keep \
            and abs(signals["complaint_margin"]) < COMPLAINT_MARGIN:
        # Re-run the rules under the LLM's verdict, so category, fault and severity still come
        # from the rules' cues.
        base, src, signals = _rules(to_simplified(text), prior_complaints, is_complaint=verdict)
    if not base.is_complaint:
        return _with_source(base, src)
    values = {k: v for k, v in asdict(base).items() if k != "label_source"}
    # A near tie between two categories: the LLM picks one of the two. A third category it
    # brings in is not taken: at near ties on the main set that was right 1 time in 5.
    if answer.get("category") == signals["runner_up"] and signals["category_lead"] < CATEGORY_LEAD:
        values["category"], src["category"] = answer["category"], "llm"
    # Lexicon scorers miss complaints written in neutral or polite words; a complaint scored as
    # not negative is the rules contradicting themselves.
    if "sentiment" in answer and base.sentiment > -FAINT:
        values["sentiment"], src["sentiment"] = answer["sentiment"], "llm"
    return _with_source(Triage(**values, label_source=""), src)


def _with_source(t: Triage, src: dict[str, str]) -> Triage:
    return Triage(**{**asdict(t), "label_source": _source_string(src)})
