"""Download a stored letter: its owner, or staff allowed to view cases; anyone else gets 404."""

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache

from letters.batch import letter_file_name
from letters.selectors import LetterNotVisible, letter_get_for_user


@never_cache
def letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponse:
    """The stored PDF exactly as issued, as an attachment."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        letter = letter_get_for_user(user=request.user, letter_id=letter_id)
    except LetterNotVisible as error:
        raise Http404("no such letter") from error
    # After the lookup: another customer's id answers 404 whatever the method.
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    name = letter_file_name(f"{letter.case.number or letter.case_id}-{letter.letter_type}-v{letter.version}")
    return FileResponse(
        letter.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )
