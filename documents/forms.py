from django import forms
from django.utils.translation import gettext_lazy as _


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files at once."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class AttachDocumentsForm(forms.Form):
    # Empty files reach the service, whose message names the file.
    attachments = MultipleFileField(
        label=_("Files"),
        help_text=_("Choose or drop one or more files."),
        allow_empty_file=True,
    )


class RetryUploadForm(forms.Form):
    file = forms.FileField(label=_("The same file, again"), allow_empty_file=True)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    """A confirmation that names the version the operator saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
