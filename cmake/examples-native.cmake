# The example native protocol modules, built against an installed swarm
# (installed as share/swarm/examples/native/CMakeLists.txt):
#   cmake -S /usr/share/swarm/examples/native -B modules && cmake --build modules
#   swarm -r 127.0.0.1:8080 -s /usr/share/swarm/examples/scripts/example.yml -p modules
# For a swarm installed elsewhere, add -DCMAKE_PREFIX_PATH=<its prefix>.
cmake_minimum_required(VERSION 3.25)
project(swarm_native_examples LANGUAGES CXX)
find_package(swarm REQUIRED)
swarm_add_module(durian durian.cpp)
swarm_add_module(redis_native redis_native.cpp)
