"""Search's own data: the index rows derived from the catalog, the catalog version, and the synonyms editors keep.

The tables keep the names they had when these models belonged to the
catalog app (cases_casesearch …): migration search.0001 moved only Django's
record of them.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.versions import State, bump, version_row

SYNONYM_SEPARATORS = re.compile(r"[\s、，,;；/|]+")


class SynonymSet(models.Model):
    """Words officials use for the same thing (企业、经营主体、市场主体), for search.

    A query word matches wherever any word of its set stands. A one-way set
    expands only its first word to the others (社保 → 社会保险, not back).
    Agencies' full names and aliases form such sets of their own, without
    being listed here.
    """

    words = models.TextField(
        _("词语"), help_text=_("两个或更多词语，每行一个或用顿号分隔，如“企业、经营主体、市场主体”。")
    )
    one_way = models.BooleanField(
        _("单向扩展"),
        default=False,
        help_text=_("勾选后只由第一个词扩展到其余各词：检索第一个词时也检索其余各词，反之不然。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(verbose_name_plural=_("变更记录"), table_name="cases_historicalsynonymset")

    class Meta:
        db_table = "cases_synonymset"
        verbose_name = _("同义词与简称")
        verbose_name_plural = _("同义词与简称（检索）")
        ordering = ["pk"]

    def __str__(self) -> str:
        joiner = " → " if self.one_way else "、"
        head, *rest = self.word_list or [""]
        return f"{head}{joiner}{'、'.join(rest)}" if self.one_way else "、".join(self.word_list)

    @property
    def word_list(self) -> list[str]:
        """The words, in order, without repeats; full-width forms folded as search folds them."""
        words: list[str] = []
        for word in SYNONYM_SEPARATORS.split(self.words or ""):
            word = unicodedata.normalize("NFKC", word).casefold().strip()
            if word and word not in words:
                words.append(word)
        return words

    def clean(self) -> None:
        words = self.word_list
        if len(words) < 2:
            raise ValidationError({"words": _("至少要有两个不同的词语。")})
        too_long = [w for w in words if len(w) > 30]
        if too_long:
            raise ValidationError({"words": _("词语不能超过30个字：%(w)s") % {"w": "、".join(too_long)}})


class CaseSearch(models.Model):
    """The search index row of a case: bigram tokens per ranking tier (see cases.search.query.query).

    Derived data, rebuilt whenever the case or one of its parts is saved. On
    SQLite an FTS5 table a tier mirrors it through triggers. On PostgreSQL the row
    only marks the case as indexed: its n-grams are GIN expression indexes on
    CaseText (cases.search.schema), so no token is stored there.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="search_index", verbose_name=_("案例")
    )
    # SQLite only (empty on PostgreSQL, whose GIN indexes read CaseText): bigram tokens for FTS5.
    title = models.TextField(_("标题词元"))
    headings = models.TextField(_("小标题词元"))
    intro = models.TextField(_("导语词元"))
    body = models.TextField(_("正文词元"))

    class Meta:
        db_table = "cases_casesearch"
        verbose_name = _("检索索引")
        verbose_name_plural = _("检索索引")
        ordering = ["case"]

    def __str__(self) -> str:
        return f"检索索引：{self.case_id}"


class CaseText(models.Model):
    """Each ranking tier of a case as search reads it (NFKC, case-folded; each run of text on a line of its own).

    Derived data, written with the search index. Ranking counts how often each
    query word stands in each tier (cases.search.ranking); on PostgreSQL the
    GIN indexes that find the words are built on these texts, and a word
    longer than eight characters is verified against them. The rows are narrow, the
    lengths come first, and the catalog's average lengths are read from an
    index alone, so ranking never reads the search index's wide token rows.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="search_text", verbose_name=_("案例")
    )
    title_length = models.PositiveIntegerField(_("标题长度"), default=0)
    headings_length = models.PositiveIntegerField(_("小标题长度"), default=0)
    intro_length = models.PositiveIntegerField(_("导语长度"), default=0)
    body_length = models.PositiveIntegerField(_("正文长度"), default=0)
    title = models.TextField(_("标题文本"), blank=True, default="")
    headings = models.TextField(_("小标题文本"), blank=True, default="")
    intro = models.TextField(_("导语文本"), blank=True, default="")
    body = models.TextField(_("正文文本"), blank=True, default="")

    class Meta:
        db_table = "cases_casetext"
        verbose_name = _("检索文本")
        verbose_name_plural = _("检索文本")
        ordering = ["case"]
        indexes = [
            models.Index(
                fields=["case", "title_length", "headings_length", "intro_length", "body_length"],
                name="casetext_lengths",
            )
        ]

    def __str__(self) -> str:
        return f"检索文本：{self.case_id}"


class CaseWords(models.Model):
    """A case's text cut into words (cases.search.words.seamed): where a query word stands on word boundaries.

    Derived data, written with the search index. Ranking reads it only for a
    query taken as words, and counts an occurrence that straddles two words of
    the text (证难 in 办证|难) as less (cases.search.ranking). A table of its
    own, so that CaseText's rows stay narrow for every other search.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="search_words", verbose_name=_("案例")
    )
    words = models.TextField(_("分词文本"), blank=True, default="")

    class Meta:
        db_table = "search_casewords"
        verbose_name = _("分词文本")
        verbose_name_plural = _("分词文本")
        ordering = ["case"]

    def __str__(self) -> str:
        return f"分词文本：{self.case_id}"


class CaseFacet(models.Model):
    """One facet value of a case (theme:getting-credit, kind:court, batch:4 …), for filtering and counting.

    Derived data, rebuilt with the search index. One row per case and value,
    so counting cases per value needs neither joins nor DISTINCT.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="facet_values", verbose_name=_("案例")
    )
    key = models.CharField(_("分面取值"), max_length=120)

    class Meta:
        db_table = "cases_casefacet"
        verbose_name = _("分面取值")
        verbose_name_plural = _("分面取值")
        ordering = ["case", "key"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="case_facet_unique")]
        indexes = [models.Index(fields=["key", "case"], name="case_facet_key")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.key}"

    @staticmethod
    def prefix_range(prefix: str) -> dict[str, str]:
        """Lookups for the keys starting with ``prefix`` ("batch"), as a range the index serves.

        (``key__startswith`` becomes LIKE, which SQLite's index cannot serve.)
        """
        return {"key__gte": f"{prefix}:", "key__lt": f"{prefix};"}


class CatalogVersion(models.Model):
    """Changes whenever the catalog's derived data is rebuilt; cached facet counts are keyed by it."""

    token = models.CharField(_("版本标识"), max_length=32)
    changed_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    #: Incremented by every bump, so that serials follow the order bumps commit in (cases.versions).
    serial = models.BigIntegerField(_("序号"), default=0)

    class Meta:
        db_table = "cases_catalogversion"
        verbose_name = _("目录版本")
        verbose_name_plural = _("目录版本")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.token

    @classmethod
    def current(cls, using: str = "default") -> str | None:
        """The token of the derived data now in ``using``; None before it was ever built."""
        return cls.objects.using(using).filter(pk=1).values_list("token", flat=True).first()

    @classmethod
    def bump(cls) -> None:
        """A new version: every cached page, count and index of the old one is stale (version_changed is sent)."""
        bump(cls)
        version_changed.send(cls, using="default")

    @classmethod
    def state(cls, using: str | None = None) -> State | None:
        """(token, when it changed) of the current version; None before it was ever built."""
        return version_row(cls, using)


class SearchMiss(models.Model):
    """A search that found nothing, or found cases only by understanding the words: what officials looked for.

    One row per query text (normalised, at most MAX_QUERY_CHARS), counted;
    no user, no address, no time of each search is kept, only the first and
    the last day it was seen. Editors read them in the admin, most frequent
    first, and turn one into a synonym set with one click. The table keeps
    at most ``KEEP`` rows: the rarest and oldest go first.
    """

    NOTHING = "nothing"
    PARTIAL = "partial"
    UNDERSTOOD = "understood"
    OUTCOMES = [
        (NOTHING, _("没有结果")),
        (PARTIAL, _("只有包含部分词语的案例")),
        (UNDERSTOOD, _("原词未找到，按词语找到")),
    ]
    KEEP = 5000

    query = models.CharField(_("检索词"), max_length=50, unique=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=OUTCOMES)
    results = models.PositiveIntegerField(_("最近一次的结果数"), default=0)
    searches = models.PositiveIntegerField(_("检索次数"), default=1)
    first_seen = models.DateField(_("首次"), default=timezone.localdate)
    last_seen = models.DateField(_("最近"), default=timezone.localdate)

    class Meta:
        db_table = "search_searchmiss"
        verbose_name = _("未检索到的词")
        verbose_name_plural = _("未检索到的词（检索）")
        ordering = ["-searches", "-last_seen", "query"]
        indexes = [models.Index(fields=["searches", "last_seen"], name="search_miss_rarest")]

    def __str__(self) -> str:
        return self.query


#: Sent after CatalogVersion.bump(); cases.search.receivers warms the new index once the write commits.
version_changed = Signal()
