from modeltranslation.translator import TranslationOptions, register

from .models import Choice, Lens, Pillar, Profile, ProfileChoice, ProfileQuestion, Question


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


@register(Profile)
class ProfileTranslation(TranslationOptions):
    fields = ("name", "description")


@register(ProfileQuestion)
class ProfileQuestionTranslation(TranslationOptions):
    fields = ("title", "description")


@register(ProfileChoice)
class ProfileChoiceTranslation(TranslationOptions):
    fields = ("title",)
