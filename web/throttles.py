"""The API's throttles on the pages' forms (ops.throttle): a refused post answers 429 with the message."""

from __future__ import annotations

from functools import wraps

from ops.bad_input import error_response
from ops.throttle import user_rate_wait


def throttled(scope: str):
    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and request.user.is_authenticated:
                wait = user_rate_wait(scope, request.user)
                if wait is not None:
                    seconds = int(wait + 0.999)
                    response = error_response(
                        request, f"Too many requests of this kind; try again in {seconds} s.", status=429
                    )
                    response["Retry-After"] = str(seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
