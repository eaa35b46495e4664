// Learning rules of the Hopfield network, on the host in floating point.
// Input: P patterns xi^mu in {-1,+1}^N (Patterns, row mu = pattern mu).
// Output: the N x N coupling matrix J (FloatMatrix, row-major, symmetric),
// computed in double and rounded to float once at the end. Deterministic:
// same patterns, same bits. No thresholds (they are zero for all three rules).
//
// Hebb:     J_ij = (1/N) sum_mu xi_i xi_j, J_ii = 0.
// Storkey:  (Storkey 1997) J starts at 0; for each pattern xi in order,
//             J_ij += (1/N) (xi_i xi_j - xi_i h_ji - h_ij xi_j),  i != j,
//           with the local field h_ij = sum_{k != i, j} J_ik xi_k taken with J
//           before this pattern; J_ii = 0 throughout. (Since J_ii = 0 and J is
//           symmetric this is J += (1/N)(xi xi' - xi h' - h xi' + 2 J), h = J xi,
//           then the diagonal reset to 0.) The first pattern gives Hebb's J.
// Pseudo-inverse (projection, Personnaz-Guyon-Dreyfus / Kanter-Sompolinsky):
//           J = Xi Xi^+, Xi the N x P matrix of the patterns as columns,
//           i.e. J = Xi (Xi' Xi)^{-1} Xi' when the patterns are linearly
//           independent, and in general the orthogonal projection onto their
//           span (computed from a column-pivoted QR; linearly dependent
//           patterns, duplicates included, are fine). No extra factor: J xi = xi
//           exactly for every stored pattern, so with the full diagonal every
//           stored pattern is a fixed point with field h = xi. With
//           zero_diagonal (the default, as on a chip without self-coupling) the
//           diagonal is then set to 0: h_i = (1 - J_ii) xi_i, and J_ii < 1
//           unless xi_i is needed to span (rank = N), so stored patterns stay
//           fixed points while rank < N.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/learning/float_matrix.h"

namespace mind1024::host {

struct LearningError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// count patterns of n neurons, row-major: values[mu * n + i] in {-1, +1}.
struct Patterns {
    size_t count = 0, n = 0;
    std::vector<int8_t> values;

    Patterns() = default;
    explicit Patterns(size_t n_neurons) : n(n_neurons) {}
    static Patterns from(const std::vector<std::vector<int8_t>>& rows);  // all rows the same size

    const int8_t* pattern(size_t mu) const { return values.data() + mu * n; }
    void add(const std::vector<int8_t>& p);  // size must be n (throws LearningError)
    // Throws LearningError naming the first entry that is not -1/+1, or a size mismatch.
    void validate() const;
};

enum class LearningRule { Hebb, Storkey, PseudoInverse };
const char* to_string(LearningRule r);                   // "hebb", "storkey", "pinv"
LearningRule parse_learning_rule(const std::string& s);  // those, plus "pseudo-inverse", "projection"

FloatMatrix hebb(const Patterns& p);
FloatMatrix storkey(const Patterns& p);

struct PseudoInverseOptions {
    bool zero_diagonal = true;
    // Relative tolerance for the rank of Xi (0 = Eigen's default, about N * eps).
    double rank_tolerance = 0.0;
};
struct PseudoInverseInfo {
    size_t rank = 0;  // dimension of the span of the patterns
};
FloatMatrix pseudo_inverse(const Patterns& p, const PseudoInverseOptions& opt = {},
                           PseudoInverseInfo* info = nullptr);

// Dispatch (pseudo-inverse with the default options).
FloatMatrix learn(LearningRule rule, const Patterns& p);

// Local fields h = J s (double), s in {-1,+1}^N; and whether s is a fixed point
// of the zero-threshold dynamics (every h_i s_i > 0).
std::vector<double> local_fields(const FloatMatrix& j, const int8_t* s);
bool is_fixed_point(const FloatMatrix& j, const int8_t* s);

}  // namespace mind1024::host
