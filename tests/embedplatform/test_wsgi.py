"""embedplatform/wsgi.py: the process environment the server copies into each request never reaches Django."""

from embedplatform.wsgi import without_process_environment


def test_the_process_environment_is_dropped_and_the_request_kept():
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return [b""]

    process = {"DJANGO_SECRET_KEY": "s3cret", "HTTP_PROXY": "http://p", "PATH_INFO": "/x", "HOME": "/root"}
    wrapped = without_process_environment(app, process)
    environ = {
        **process,  # what granian does: the process environment first, the request over it
        "PATH_INFO": "/x",
        "HOME": "/elsewhere",  # same name, not the process's value: the request's, kept
        "REQUEST_METHOD": "POST",
        "HTTP_AUTHORIZATION": "Bearer k",
    }

    wrapped(environ, None)

    assert seen == {
        "PATH_INFO": "/x",  # a request key, even when the process has the same value
        "HOME": "/elsewhere",
        "REQUEST_METHOD": "POST",
        "HTTP_AUTHORIZATION": "Bearer k",
    }
