// Reference solver for bench/rematch.bench.ts: reads a DIMACS min-cost-flow file and solves it with
// LEMON's NetworkSimplex and CostScaling (default pivot rule and method), printing one JSON line:
//   {"nodes":N,"arcs":A,"readSeconds":s,"networkSimplex":{"objective":c,"seconds":s},
//    "costScaling":{"objective":c,"seconds":s}}
// Seconds cover building the solver and running it, not reading the file. Lower bounds are all 0
// in the re-matching shape, so no lower map is set.
//
//   g++ -O3 -DNDEBUG -o lemon-mcf bench/lemon-mcf.cpp && ./lemon-mcf instance.dimacs
#include <lemon/cost_scaling.h>
#include <lemon/dimacs.h>
#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

using Graph = lemon::SmartDigraph;
using Value = long long;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

template <typename Solver>
static void report(const char* name, Solver& solver, typename Solver::ProblemType status,
                   double seconds, bool last) {
  if (status == Solver::OPTIMAL) {
    std::printf("\"%s\":{\"objective\":%lld,\"seconds\":%.6f}%s", name,
                solver.template totalCost<Value>(), seconds, last ? "" : ",");
  } else {
    std::printf("\"%s\":{\"status\":%d,\"seconds\":%.6f}%s", name, static_cast<int>(status),
                seconds, last ? "" : ",");
  }
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lemon-mcf FILE.dimacs\n");
    return 2;
  }
  std::ifstream input(argv[1]);
  if (!input) {
    std::fprintf(stderr, "lemon-mcf: cannot open %s\n", argv[1]);
    return 2;
  }
  Graph graph;
  Graph::ArcMap<Value> lower(graph), capacity(graph), cost(graph);
  Graph::NodeMap<Value> supply(graph);
  Clock::time_point start = Clock::now();
  lemon::readDimacsMin(input, graph, lower, capacity, cost, supply);
  double readSeconds = since(start);
  std::printf("{\"nodes\":%d,\"arcs\":%d,\"readSeconds\":%.6f,", lemon::countNodes(graph),
              lemon::countArcs(graph), readSeconds);

  {
    start = Clock::now();
    lemon::NetworkSimplex<Graph, Value, Value> solver(graph);
    solver.upperMap(capacity).costMap(cost).supplyMap(supply);
    auto status = solver.run();
    report("networkSimplex", solver, status, since(start), false);
  }
  {
    start = Clock::now();
    lemon::CostScaling<Graph, Value, Value> solver(graph);
    solver.upperMap(capacity).costMap(cost).supplyMap(supply);
    auto status = solver.run();
    report("costScaling", solver, status, since(start), true);
  }
  std::printf("}\n");
  return 0;
}
