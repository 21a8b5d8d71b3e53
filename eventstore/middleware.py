from django.conf import settings

from eventstore import context


class OperationContextMiddleware:
    """Give services the request's actor, client address and request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = context.accepted_request_id(request.headers.get("X-Request-ID"))
        with context.acting_as(
            context.Actor.for_user(getattr(request, "user", None)),
            request_id=request_id,
            client_address=client_address(request),
        ):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def client_address(request) -> str:
    """REMOTE_ADDR, or the proxy's X-Forwarded-For when we sit behind one."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        # The proxy appends the address it saw; earlier entries are the client's
        # word and can be forged.
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
