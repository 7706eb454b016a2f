# Every dependency comes from Debian's packages (see README.md).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LUAJIT REQUIRED IMPORTED_TARGET luajit)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3.0 REQUIRED)  # libssl-dev: TLS (--tls), SHA-256 of a plan (swarm control)

# Standalone asio, compiled once (ASIO_SEPARATE_COMPILATION) instead of in
# every file that includes it: it halves build time on a 2-core machine.
add_library(swarm_asio STATIC ${PROJECT_SOURCE_DIR}/cmake/asio.cpp)
target_compile_definitions(swarm_asio PUBLIC ASIO_STANDALONE ASIO_SEPARATE_COMPILATION
                                             ASIO_NO_DEPRECATED)
target_link_libraries(swarm_asio PUBLIC Threads::Threads)
