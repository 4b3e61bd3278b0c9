"""The forms of a 推广工作方案: scope, measures to copy, milestones and contact (cases.tracker.plans)."""

from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from cases.models import Agency, Region, Section

from .forms import DateInput
from .models import PlanMilestone, PromotionPlan


class PlanForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PromotionPlan
        fields = [
            "starts_on",
            "regions",
            "out_of_scope_reason",
            "departments",
            "approach",
            "contact_name",
            "contact_phone",
        ]
        widgets = {
            "starts_on": DateInput(),
            "regions": forms.CheckboxSelectMultiple,
            "departments": forms.CheckboxSelectMultiple,
            "out_of_scope_reason": forms.Textarea(attrs={"rows": 2}),
            "approach": forms.Textarea(attrs={"rows": 6}),
        }
        error_messages = {
            "contact_name": {"required": "请填写联系人。"},
            "contact_phone": {"required": "请填写联系电话。"},
            "starts_on": {"required": "请填写方案实施起始日期。", "invalid": "请按 年-月-日 填写日期。"},
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["regions"].queryset = Region.objects.all()
        self.fields["regions"].error_messages["required"] = "推广范围须至少包括一个市县。"
        self.fields["regions"].required = True
        self.fields["departments"].queryset = Agency.objects.filter(
            kind=Agency.Kind.PROVINCIAL_DEPARTMENT, level=Agency.Level.PROVINCIAL
        ).order_by("name")
        self.fields["regions"].error_messages["invalid_choice"] = "所选市县不存在。"
        self.measures = list(Section.objects.filter(case=case, kind=Section.Kind.MEASURE).order_by("position"))
        chosen = {}
        if self.instance.pk:
            chosen = {m.section_id: m.note for m in self.instance.measures.all()}
        for section in self.measures:
            self.fields[f"measure_{section.pk}"] = forms.BooleanField(
                label=section.printed[:80], required=False, initial=section.pk in chosen
            )
            self.fields[f"note_{section.pk}"] = forms.CharField(
                label=f"{section.label}的复制推广要求",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=chosen.get(section.pk, ""),
            )

    def measure_rows(self):
        """(section, its check box, its note) for the template, in the notice's order."""
        return [(s, self[f"measure_{s.pk}"], self[f"note_{s.pk}"]) for s in self.measures]

    def chosen_measures(self) -> dict[int, str]:
        return {
            s.pk: self.cleaned_data.get(f"note_{s.pk}", "").strip()
            for s in self.measures
            if self.cleaned_data.get(f"measure_{s.pk}")
        }

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        issued = self.case.notice.issued_on
        if starts_on < issued:
            raise forms.ValidationError(f"方案实施起始日期不能早于本批案例印发日期（{issued:%Y-%m-%d}）。")
        return starts_on

    def clean(self):
        data = super().clean()
        regions = data.get("regions")
        if (
            regions is not None
            and len(regions) < Region.objects.count()
            and not data.get("out_of_scope_reason", "").strip()
        ):
            self.add_error("out_of_scope_reason", "推广范围未包括全部市县，请说明范围外市县不适用的理由。")
        return data


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = PlanMilestone
        fields = ["kind", "region", "due_on"]
        widgets = {"due_on": DateInput()}
        error_messages = {"due_on": {"invalid": "请按 年-月-日 填写日期。"}}

    def validate_unique(self):
        """One date per node and region is the formset's rule (MilestoneFormSet.clean), on what is submitted.

        Asking the database instead would count a milestone the same
        submission deletes; the plan row is locked while it saves, and the
        constraints stay in the database as the last word.
        """

    validate_constraints = validate_unique


class MilestoneFormSet(BaseInlineFormSet):
    summary_label = "时间节点"

    def __init__(self, *args, plan_form: PlanForm, **kwargs):
        self.plan_form = plan_form
        super().__init__(*args, **kwargs)
        for form in self.forms:
            form.fields["region"].queryset = Region.objects.all()
            form.fields["region"].empty_label = "推广范围内全部市县"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        plan = self.plan_form.cleaned_data if self.plan_form.is_valid() else {}
        starts_on = plan.get("starts_on")
        scope = set(plan.get("regions") or [])
        issued = self.plan_form.case.notice.issued_on
        seen: dict[tuple[str, int | None], object] = {}
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            kind, region, due_on = (form.cleaned_data.get(k) for k in ("kind", "region", "due_on"))
            if not (kind and due_on):
                continue
            if due_on < issued:
                form.add_error("due_on", f"完成时限不能早于本批案例印发日期（{issued:%Y-%m-%d}）。")
            elif starts_on and due_on < starts_on:
                form.add_error("due_on", f"完成时限不能早于方案实施起始日期（{starts_on:%Y-%m-%d}）。")
            if region is not None and scope and region not in scope:
                form.add_error("region", f"{region.name}不在本方案的推广范围内。")
            key = (kind, region.pk if region else None)
            if key in seen:
                form.add_error("region", "同一市县的同一节点只能有一个时限。")
            seen[key] = due_on
        for (kind, region_id), due_on in seen.items():
            start = seen.get((PlanMilestone.Kind.START, region_id)) or seen.get((PlanMilestone.Kind.START, None))
            if kind == PlanMilestone.Kind.LAND and start and due_on < start:
                raise forms.ValidationError("落地时限不能早于启动时限。")


PlanMilestones = inlineformset_factory(
    PromotionPlan,
    PlanMilestone,
    form=MilestoneForm,
    formset=MilestoneFormSet,
    extra=2,
    can_delete=True,
    max_num=60,
    absolute_max=60,
    validate_max=True,
    error_messages={"too_many_forms": "时间节点最多 60 个。"},
)


class DecisionForm(forms.Form):
    """The office's approval or return of a plan, against the version it opened."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="退回意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
