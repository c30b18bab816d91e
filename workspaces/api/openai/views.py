"""The OpenAI-compatible endpoint's views: plain Django views, since the wire format is
OpenAI's (see `replies`), not problem details. Each authenticates the Bearer key, needs its
`ask` scope, asks the permission module and calls the chat services, as the site does."""

from contextlib import closing
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import StreamingHttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from accounts.base import DocentError, ErrorCode
from accounts.http import status_for
from workspaces import permissions
from workspaces.api.auth import api_key_from_request
from workspaces.api.openai import replies
from workspaces.api.openai.requests import completion_request_read
from workspaces.chats.choices import ChatState
from workspaces.chats.services import chat_answer, chat_start, history_within_length
from workspaces.models import Workspace

SCOPE_MISSING = "This API key does not have the `ask` scope."
NOT_ALLOWED = "The workspace does not allow this."
MODEL_NOT_FOUND = "The model `%(model)s` does not exist or this key may not ask it."
METHOD_NOT_ALLOWED = "%(method)s is not allowed here."
BODY_TOO_LARGE = "The request body is too large."
RATE_LIMIT_RETRY_SECONDS = "60"


def refusal_response(error: DocentError):
    """A refusal in OpenAI's shape. A model server's failure is a 502. Clients retry 429s and 5xxs
    on their own: only the rate limit is worth it (a retried failure or quota stores another chat)."""
    status = HTTPStatus.BAD_GATEWAY if error.code == ErrorCode.PROVIDER_FAILED else status_for(error)
    headers = {"x-should-retry": "false"}
    if error.code == ErrorCode.RATE_LIMITED:
        headers = {"Retry-After": RATE_LIMIT_RETRY_SECONDS}
    return replies.error_response(message=error.message, code=str(error.code), status=status, headers=headers)


@method_decorator(csrf_exempt, name="dispatch")  # a Bearer key, never the session's cookie
class OpenAIView(View):
    def dispatch(self, request, *args, **kwargs):
        try:
            self.key = api_key_from_request(request)
            if not permissions.key_covers(self.key, permissions.ASK):
                raise DocentError(SCOPE_MISSING, code=ErrorCode.FORBIDDEN)
            return super().dispatch(request, *args, **kwargs)
        except DocentError as error:
            return refusal_response(error)
        except PermissionDenied:
            return refusal_response(DocentError(NOT_ALLOWED, code=ErrorCode.FORBIDDEN))
        except RequestDataTooBig:
            return refusal_response(DocentError(BODY_TOO_LARGE, code=ErrorCode.TOO_LARGE))

    def http_method_not_allowed(self, request, *args, **kwargs):
        return replies.error_response(message=METHOD_NOT_ALLOWED % {"method": request.method},
                                      code="method_not_allowed", status=HTTPStatus.METHOD_NOT_ALLOWED)

    def askable(self):
        """The workspaces this key may ask now: its user's rights, its scope and its workspaces."""
        return permissions.workspaces_for_key(self.key, permissions.ASK, Workspace.objects.all())

    def askable_workspace(self, slug: str) -> Workspace:
        """One a key may not ask is as unknown as one that does not exist (404, not 403)."""
        # PostgreSQL refuses NUL in text: such a name is simply no workspace's.
        workspace = None if "\x00" in slug else self.askable().filter(slug=slug).first()
        if workspace is None:
            raise DocentError(MODEL_NOT_FOUND % {"model": slug[:100]}, code=ErrorCode.NOT_FOUND)
        return workspace


class ModelListView(OpenAIView):
    def get(self, request):
        workspaces = self.askable().order_by("slug")
        return replies.JsonResponse({"object": "list", "data": [replies.model_object(w) for w in workspaces]})


class ModelDetailView(OpenAIView):
    def get(self, request, model):
        return replies.JsonResponse(replies.model_object(self.askable_workspace(model)))


class ChatCompletionsView(OpenAIView):
    def post(self, request):
        asked = completion_request_read(request.body)
        workspace = self.askable_workspace(asked.model)
        chat = chat_start(workspace=workspace, user=self.key.user, prompt=asked.prompt, continue_latest=True)
        history = history_within_length(workspace=workspace, history=asked.history)
        if asked.stream:
            response = StreamingHttpResponse(self._events(chat, asked, history),
                                             content_type="text/event-stream; charset=utf-8")
            response["Cache-Control"] = "no-cache"
            response["X-Accel-Buffering"] = "no"
            return response
        for _ in chat_answer(chat=chat, history=history):
            pass
        if chat.state == ChatState.FAILED:
            raise DocentError(chat.answer.reason, code=ErrorCode.PROVIDER_FAILED)
        return replies.JsonResponse(replies.completion(
            chat, model=workspace.slug, usage=replies.usage_of(chat.answer, prompt=chat.prompt, history=history),
            sources=self._sources(chat, workspace),
        ))

    def _sources(self, chat, workspace) -> list[dict]:
        return replies.sources_of(chat.answer, workspace_slug=workspace.slug,
                                  absolute=self.request.build_absolute_uri)

    def _events(self, chat, asked, history):
        """The role, the text as it arrives, then the finish with the sources (and, when asked,
        the usage chunk, which carries them too); a model server's failure as an error event."""
        model = chat.workspace.slug
        no_usage = {"usage": None} if asked.include_usage else {}
        yield replies.event(replies.chunk(chat, model=model, delta={"role": "assistant", "content": ""}, **no_usage))
        with closing(chat_answer(chat=chat, history=history)) as deltas:
            for delta in deltas:
                yield replies.event(replies.chunk(chat, model=model, delta={"content": delta}, **no_usage))
        if chat.state == ChatState.FAILED:
            status = HTTPStatus.BAD_GATEWAY
            yield replies.event(replies.error_body(message=chat.answer.reason, code=ErrorCode.PROVIDER_FAILED,
                                                   status=status))
            yield replies.DONE
            return
        sources = self._sources(chat, chat.workspace)
        yield replies.event(replies.chunk(chat, model=model, finish_reason=replies.FINISH_STOP, sources=sources,
                                          **no_usage))
        if asked.include_usage:
            usage = replies.usage_of(chat.answer, prompt=chat.prompt, history=history)
            yield replies.event(replies.chunk(chat, model=model, usage=usage, sources=sources))
        yield replies.DONE
