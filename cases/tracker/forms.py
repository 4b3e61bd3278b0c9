"""The officials' front-end forms: one report with its local results, evidence, and review comments."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms import inlineformset_factory

from .models import AdoptionReport, AdoptionResult, Evidence, MailPreference, ReviewComment


def max_evidence_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AdoptionReport
        fields = [
            "status",
            "not_applicable_reason",
            "started_on",
            "completed_on",
            "actions",
            "notes",
            "contact_name",
            "contact_phone",
        ]
        widgets = {
            "status": forms.RadioSelect,
            "started_on": DateInput(),
            "completed_on": DateInput(),
            "not_applicable_reason": forms.Textarea(attrs={"rows": 2}),
            "actions": forms.Textarea(attrs={"rows": 6}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


ResultFormSet = inlineformset_factory(
    AdoptionReport,
    AdoptionResult,
    fields=["label", "value", "unit", "baseline_value", "baseline_unit", "period"],
    extra=1,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


class EvidenceForm(forms.ModelForm):
    file = forms.FileField(label="上传文件", required=False)

    class Meta:
        model = Evidence
        fields = ["title", "url", "file"]
        labels = {"title": "材料说明", "url": "或填写链接"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"PDF、JPG、PNG、DOCX、XLSX 或 OFD，单个文件不超过 {max_evidence_bytes() // 1024 // 1024} MB。"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        Evidence.UPLOADS.check(upload)  # the model's own rule, which its clean() (and so the admin) applies too
        return upload

    def clean(self):
        data = super().clean()
        if "file" in self.errors or "url" in self.errors:
            return data  # the field's own message says what is wrong; "upload or link" would mislead
        if not data.get("url") and not data.get("file"):
            raise forms.ValidationError("请上传文件或填写链接。")
        if data.get("url") and data.get("file"):
            raise forms.ValidationError("一条材料只能是文件或链接中的一种。")
        return data


class CommentForm(forms.ModelForm):
    body = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    class Meta:
        model = ReviewComment
        fields = ["body"]


class AnswerForm(CommentForm):
    """The reporting unit's answer to the comments on its report."""

    body = forms.CharField(label="回复审核意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


def error_summary(*forms_and_formsets) -> list[tuple[str, str, str]]:
    """Every error of a page's forms as (label, message, field id), for the summary box at the top.

    A message without a field (a form-wide rule) has an empty label and id.
    """
    entries = []
    for item in forms_and_formsets:
        if item is None or not item.is_bound:
            continue
        formset_forms = getattr(item, "forms", None)
        if formset_forms is not None:
            rows = getattr(item, "summary_label", "本地成效数据")
            entries += [(rows, message, "") for message in item.non_form_errors()]
            for number, form in enumerate(formset_forms, start=1):
                entries += [
                    (f"{rows}第{number}行 · {label}", message, field_id)
                    for label, message, field_id in error_summary(form)
                ]
            continue
        for name, messages in item.errors.items():
            field = item.fields.get(name)
            label = str(field.label) if field is not None and name != "__all__" else ""
            field_id = item[name].id_for_label if field is not None and name != "__all__" else ""
            entries += [(label, message, field_id) for message in messages]
    return entries


class MailPreferenceForm(forms.ModelForm):
    """An official's e-mail address and what they want to hear of (cases.tracker.notify)."""

    email = forms.EmailField(
        label="接收提醒的邮箱",
        required=False,
        help_text="留空则不发送任何邮件。",
        error_messages={"invalid": "请填写有效的电子邮件地址，如 name@example.gov.cn。"},
    )

    class Meta:
        model = MailPreference
        fields = ["report_activity", "deadlines", "weekly_digest", "new_batches"]
