"""Name search on PostgreSQL through the distinct names (issue 14.4; patients migration 0016).

The filter of patients.selectors.search is, for each typed word, "the surname matches
it or the first names do" (and, for two or more words, "or the words joined are the
start of the surname"). Each condition reads one of three columns, each a function of
the surname (`family_name_key`, `family_name_tokens`) or of the first names
(`given_name_tokens`), and the rank is the sum of a surname part and a first-name part.
So both can be worked out once per distinct name, on tables of tens of thousands of rows
(patients_search_surname, patients_search_given_name, kept by triggers), with their
trigram indexes. The patients carrying those names come from two covering btree indexes
(surname, status, first names, id; first names, status, surname, id): index entries,
not heap rows, and the 25 patients of the page are the only rows read.

Same patients as the row-by-row filter; same rank (the same terms, added surname first
then first names, so floating-point rounding may differ in the last bit). Ties are broken
by the normalised surname, then first names, then id (the C collation), as the one- and
two-letter prefix search does.
"""

from dataclasses import dataclass, field

from django.db import connection

from patients.models import Patient


@dataclass
class _Sql:
    params: dict = field(default_factory=dict)

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"


@dataclass(frozen=True)
class Weights:
    surname_part: float  # 1 - WHOLE_SURNAME_WEIGHT
    whole_surname: float  # WHOLE_SURNAME_WEIGHT
    given: float  # GIVEN_NAME_WEIGHT


def _word_conditions(sql: _Sql, word: str, *, mode: str) -> tuple[str, str]:
    """(condition on the surname table s, condition on the first-name table g) for one
    word; the same tests as patients.selectors.search._word_filter (mode "fuzzy" or
    "exact") and its looser retry (mode "loose"). "FALSE": that side never matches."""
    w = sql.param(word)
    if len(word) < 3:  # MIN_FUZZY_LENGTH: a name prefix
        prefix = sql.param(f"{word}%")
        return f"s.key LIKE {prefix}", f"g.tokens LIKE {sql.param(f' {word}%')}"
    if mode == "loose" and len(word) > 3:
        return f"(s.key %% {w} OR s.tokens %%> {w})", "FALSE"
    part = sql.param(f"% {word}%")
    if mode == "fuzzy":
        return (
            f"(s.tokens LIKE {part} OR s.key %% {w} OR s.tokens %%> {w})",
            f"(g.tokens LIKE {part} OR g.tokens %%> {w})",
        )
    return f"s.tokens LIKE {part}", f"g.tokens LIKE {part}"


def _scores(
    sql: _Sql,
    words: list[str],
    joined: str,
    weights: Weights,
    *,
    key: str,
    tokens: str,
    gtokens: str,
) -> tuple[str, str]:
    """The rank's surname part (on the columns `key`, `tokens`) and first-name part (on
    `gtokens`): the terms of patients.selectors.search._rank."""
    surname, given = [], []
    for word in words:
        w = sql.param(word)
        whole = f"similarity({key}, {w})"
        surname.append(
            f"GREATEST({whole}, word_similarity({w}, {tokens})) * {weights.surname_part!r}::float8"
            f" + {whole} * {weights.whole_surname!r}::float8"
        )
        given.append(f"word_similarity({w}, {gtokens}) * {weights.given!r}::float8")
    if joined:
        surname.append(f"similarity({key}, {sql.param(joined)})")
    return " + ".join(surname), " + ".join(given)


_SQL = """
WITH s AS MATERIALIZED (
    SELECT s.key, s.tokens{s_columns} FROM patients_search_surname s WHERE {s_any}
), g AS MATERIALIZED (
    SELECT g.tokens{g_columns} FROM patients_search_given_name g WHERE {g_any}
), g_all AS MATERIALIZED (
    SELECT g.tokens, {g_score} AS score FROM g WHERE {g_all}
), by_surname AS MATERIALIZED (
    -- every patient of a surname that matches every word by itself
    SELECT p.id, p.family_name_key AS key, p.given_name_tokens AS gtokens, s.score AS s_score
    FROM s JOIN patients_patient p
      ON p.family_name_key = s.key AND p.family_name_tokens = s.tokens {status}
    WHERE {s_all}{pairs}
), by_surname_given AS MATERIALIZED (
    SELECT d.gtokens, {g_score_d} AS score FROM (SELECT gtokens FROM by_surname GROUP BY gtokens) d
), by_surname_ranked AS MATERIALIZED (
    SELECT h.id, h.key, h.gtokens, {surname_rank} AS rank
    FROM by_surname h JOIN by_surname_given d ON d.gtokens = h.gtokens
), by_given AS MATERIALIZED (
    -- first names matching every word, the surname none
    SELECT p.id, p.family_name_key AS key, p.family_name_tokens AS tokens,
           p.given_name_tokens AS gtokens, g.score AS g_score
    FROM g_all g JOIN patients_patient p ON p.given_name_tokens = g.tokens {status}
    WHERE NOT EXISTS (
        SELECT FROM s WHERE s.key = p.family_name_key AND s.tokens = p.family_name_tokens)
), by_given_surname AS MATERIALIZED (
    SELECT d.key, d.tokens, {s_score_d} AS score
    FROM (SELECT key, tokens FROM by_given GROUP BY key, tokens) d
), top AS (SELECT * FROM (
    SELECT id, key, gtokens, rank FROM by_surname_ranked
    UNION ALL
    SELECT h.id, h.key, h.gtokens, {given_rank} AS rank
    FROM by_given_surname d JOIN by_given h ON h.key = d.key AND h.tokens = d.tokens
    WHERE {given_keep}
) hit ORDER BY {order} LIMIT %(limit)s)
SELECT p.*, top.rank FROM top JOIN patients_patient p ON p.id = top.id ORDER BY {order_top}
"""

# Two or more words: a surname matching some of them, first names matching the others.
_PAIRS = """
    UNION ALL
    SELECT p.id, p.family_name_key, p.given_name_tokens, s.score
    FROM s JOIN g ON {pair}
    JOIN patients_patient p
      ON p.family_name_key = s.key AND p.family_name_tokens = s.tokens
     AND p.given_name_tokens = g.tokens {status}
    WHERE NOT ({s_all})"""

# A patient found by first names alone ranks at most its surname's score plus the best
# first-name score: when the surname matches already fill the page down to rank r, the
# surnames scoring below r minus that best score (less a margin for rounding) cannot
# reach the page, and their patients are not ranked.
_GIVEN_KEEP = """d.score >= COALESCE(
        (SELECT rank FROM by_surname_ranked ORDER BY rank DESC LIMIT 1 OFFSET %(limit)s - 1)
        - (SELECT max(score) FROM g_all) - 1e-9, '-infinity'::float8)"""
_ORDER = '{t}key COLLATE "C", {t}gtokens COLLATE "C", {t}id'


def search_by_distinct_names(
    words: list[str],
    joined: str,
    *,
    status: str | None,
    limit: int,
    weights: Weights,
    mode: str = "fuzzy",
    ranked: bool = True,
    thresholds: dict[str, str] | None = None,
) -> list[Patient]:
    """The best `limit` patients for the words (each with `.rank`, None when not
    `ranked`), in the order rank, normalised surname, normalised first names, id."""
    sql = _Sql()
    conditions = [_word_conditions(sql, word, mode=mode) for word in words]
    if joined and mode != "loose":
        joined_condition = f"s.key LIKE {sql.param(f'{joined}%')}"
    else:
        joined_condition = "FALSE"
    s_columns, g_columns = [], []
    n = len(conditions)
    if n > 1:  # which words each name matches (one word: all of s and g match it)
        s_columns += [f"{surname} AS a{i}" for i, (surname, _) in enumerate(conditions)]
        s_columns.append(f"{joined_condition} AS j")
        g_columns += [f"{given} AS b{i}" for i, (_, given) in enumerate(conditions)]
        s_all = f"({' AND '.join(f's.a{i}' for i in range(n))}) OR s.j"
        g_all = " AND ".join(f"g.b{i}" for i in range(n))
    else:
        s_all = g_all = "TRUE"
    status_sql = "AND p.status = %(status)s" if status else ""
    order, order_top = _ORDER.format(t="hit."), _ORDER.format(t="top.")
    null = "NULL::float8"
    parts = {"g_score": null, "g_score_d": null, "s_score_d": null, "surname_rank": null}
    parts.update(given_rank=null, given_keep="TRUE")
    if ranked:
        # Each part of the rank once per distinct name: the surname's for the surname
        # matches (s), the first names' for the first-name matches (g_all), the other
        # part per distinct name among their patients (d).
        on_s = _scores(sql, words, joined, weights, key="s.key", tokens="s.tokens", gtokens="")
        on_g = _scores(sql, words, joined, weights, key="", tokens="", gtokens="g.tokens")
        on_d = _scores(
            sql, words, joined, weights, key="d.key", tokens="d.tokens", gtokens="d.gtokens"
        )
        s_columns.append(f"{on_s[0]} AS score")
        parts.update(g_score=on_g[1], g_score_d=on_d[1], s_score_d=on_d[0])
        parts.update(surname_rank="h.s_score + d.score", given_rank="d.score + h.g_score")
        parts.update(given_keep=_GIVEN_KEEP)
        order, order_top = f"hit.rank DESC, {order}", f"top.rank DESC, {order_top}"
    else:
        s_columns.append("NULL::float8 AS score")
    pairs = ""
    if n > 1:
        pair = " AND ".join(f"(s.a{i} OR g.b{i})" for i in range(n))
        pairs = _PAIRS.format(pair=pair, s_all=s_all, status=status_sql)
    text = _SQL.format(
        s_columns="".join(f", {column}" for column in s_columns),
        s_any=" OR ".join([*(c[0] for c in conditions), joined_condition]),
        g_columns="".join(f", {column}" for column in g_columns),
        g_any=" OR ".join(c[1] for c in conditions),
        g_all=g_all,
        s_all=s_all,
        pairs=pairs,
        order=order,
        order_top=order_top,
        status=status_sql,
        **parts,
    )
    params = {**sql.params, "status": status, "limit": limit}
    settings = {
        "enable_seqscan": "off",
        "enable_mergejoin": "off",
        "jit": "off",
        "work_mem": "32MB",
    }
    return _run(text, params, {**settings, **(thresholds or {})})


def _run(text: str, params: dict, settings: dict[str, str]) -> list[Patient]:
    """The search statement with planner settings, in one round trip: the settings, the
    statement and their RESET go as one multi-statement string (one implicit transaction
    in autocommit; inside a transaction the RESETs end them). The planner prices a
    trigram test like an equality, so a table of 70,000 first names looks cheaper to read
    whole (100+ ms of trigram tests) than through its index (1 ms): enable_seqscan off.
    Its row estimates for the hits run 10-20x high, which made it sort tens of thousands
    of hits to merge-join them with the per-name scores (enable_mergejoin off, work_mem
    for the hash tables) and compile the statement with JIT (1.5 s for "Mar": jit off)."""
    names = list(settings)
    for index, name in enumerate(names):
        params[f"setting{index}"], params[f"value{index}"] = name, settings[name]
    set_all = ", ".join(
        f"set_config(%(setting{i})s, %(value{i})s, true)" for i in range(len(names))
    )
    reset_all = "".join(f"; RESET {name}" for name in names)
    # Several statements in one string: a client-side-binding cursor (the server takes one
    # statement per server-side-bound execution; clinic/postgresql/prepared_statements.py).
    with connection.client_side_cursor() as cursor:
        cursor.execute(f"SELECT {set_all};\n{text}{reset_all}", params)
        cursor.cursor.nextset()  # past the settings' row, to the search's rows
        columns = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    fields = Patient._meta.concrete_fields
    found = []
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        patient = Patient.from_db(
            connection.alias, [f.attname for f in fields], [values[f.column] for f in fields]
        )
        patient.rank = values["rank"]
        found.append(patient)
    return found
