from modeltranslation.translator import TranslationOptions, register

from .models import Choice, Lens, Pillar, Question


@register(Lens)
class LensTranslation(TranslationOptions):
    fields = ("name", "description", "release_notes")


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("name",)


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("title", "description", "helpful_resource")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("title", "description", "helpful_resource", "improvement_plan", "additional_resources")
