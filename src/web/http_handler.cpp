#include "web/http_handler.hpp"

namespace swarm::web {

asio::awaitable<HttpResponse> HttpHandler::answer(HttpRequest request) {
  co_return handle(request);
}

}  // namespace swarm::web
