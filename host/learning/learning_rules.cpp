#include "host/learning/learning_rules.h"

#include <Eigen/Dense>
#include <fmt/format.h>

namespace mind1024::host {
namespace {

using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Xi: N x P, one pattern per column.
Eigen::MatrixXd pattern_matrix(const Patterns& p) {
    Eigen::MatrixXd xi(p.n, p.count);
    for (size_t mu = 0; mu < p.count; ++mu)
        for (size_t i = 0; i < p.n; ++i) xi(i, mu) = p.pattern(mu)[i];
    return xi;
}

FloatMatrix to_float(const MatD& m) {
    FloatMatrix f(m.rows(), m.cols());
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) f(r, c) = static_cast<float>(m(r, c));
    return f;
}

}  // namespace

Patterns Patterns::from(const std::vector<std::vector<int8_t>>& rows) {
    Patterns p(rows.empty() ? 0 : rows.front().size());
    for (const auto& r : rows) p.add(r);
    return p;
}

void Patterns::add(const std::vector<int8_t>& pat) {
    if (pat.size() != n)
        throw LearningError(fmt::format("pattern {} has {} entries, expected {}", count, pat.size(), n));
    values.insert(values.end(), pat.begin(), pat.end());
    ++count;
}

void Patterns::validate() const {
    if (n == 0) throw LearningError("patterns: zero neurons");
    if (values.size() != count * n)
        throw LearningError(fmt::format("patterns: {} values for {} patterns of {} neurons", values.size(),
                                        count, n));
    for (size_t k = 0; k < values.size(); ++k)
        if (values[k] != 1 && values[k] != -1)
            throw LearningError(fmt::format("pattern {}, neuron {}: value {} (must be -1 or +1)", k / n, k % n,
                                            int{values[k]}));
}

const char* to_string(LearningRule r) {
    switch (r) {
        case LearningRule::Hebb: return "hebb";
        case LearningRule::Storkey: return "storkey";
        case LearningRule::PseudoInverse: return "pinv";
    }
    return "?";
}

LearningRule parse_learning_rule(const std::string& s) {
    if (s == "hebb") return LearningRule::Hebb;
    if (s == "storkey") return LearningRule::Storkey;
    if (s == "pinv" || s == "pseudo-inverse" || s == "pseudoinverse" || s == "projection")
        return LearningRule::PseudoInverse;
    throw LearningError(fmt::format("unknown learning rule '{}' (hebb, storkey, pinv)", s));
}

FloatMatrix hebb(const Patterns& p) {
    p.validate();
    const Eigen::MatrixXd xi = pattern_matrix(p);
    MatD j = (xi * xi.transpose()) / static_cast<double>(p.n);
    j.diagonal().setZero();
    return to_float(j);
}

FloatMatrix storkey(const Patterns& p) {
    p.validate();
    const auto n = static_cast<Eigen::Index>(p.n);
    const double inv_n = 1.0 / static_cast<double>(p.n);
    Eigen::MatrixXd j = Eigen::MatrixXd::Zero(n, n);  // symmetric, zero diagonal
    Eigen::VectorXd xi(n), h(n);
    for (size_t mu = 0; mu < p.count; ++mu) {
        for (Eigen::Index i = 0; i < n; ++i) xi(i) = p.pattern(mu)[i];
        h.noalias() = j * xi;  // h_i = sum_{k != i} J_ik xi_k (J_ii = 0)
        // J_ij += (1/N)(xi_i xi_j - xi_i h_j - h_i xi_j + 2 J_ij); see the header.
        j *= 1.0 + 2.0 * inv_n;
        j.noalias() += inv_n * ((xi - h) * xi.transpose());
        j.noalias() -= inv_n * (xi * h.transpose());
        j.diagonal().setZero();
    }
    return to_float(j);
}

FloatMatrix pseudo_inverse(const Patterns& p, const PseudoInverseOptions& opt, PseudoInverseInfo* info) {
    p.validate();
    const auto n = static_cast<Eigen::Index>(p.n);
    MatD j = MatD::Zero(n, n);
    size_t rank = 0;
    if (p.count > 0) {
        const Eigen::MatrixXd xi = pattern_matrix(p);
        Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(xi);
        if (opt.rank_tolerance > 0) qr.setThreshold(opt.rank_tolerance);
        rank = static_cast<size_t>(qr.rank());
        if (rank > 0) {
            const Eigen::MatrixXd q =
                qr.householderQ() * Eigen::MatrixXd::Identity(n, static_cast<Eigen::Index>(rank));
            j.noalias() = q * q.transpose();  // projection onto span(Xi)
        }
    }
    if (opt.zero_diagonal) j.diagonal().setZero();
    if (info) info->rank = rank;
    return to_float(j);
}

FloatMatrix learn(LearningRule rule, const Patterns& p) {
    switch (rule) {
        case LearningRule::Hebb: return hebb(p);
        case LearningRule::Storkey: return storkey(p);
        case LearningRule::PseudoInverse: return pseudo_inverse(p);
    }
    throw LearningError("unknown learning rule");
}

std::vector<double> local_fields(const FloatMatrix& j, const int8_t* s) {
    std::vector<double> h(j.rows, 0.0);
    for (size_t r = 0; r < j.rows; ++r) {
        const float* row = j.row(r);
        double acc = 0;
        for (size_t c = 0; c < j.cols; ++c) acc += double{row[c]} * s[c];
        h[r] = acc;
    }
    return h;
}

bool is_fixed_point(const FloatMatrix& j, const int8_t* s) {
    const std::vector<double> h = local_fields(j, s);
    for (size_t i = 0; i < h.size(); ++i)
        if (h[i] * s[i] <= 0) return false;
    return true;
}

}  // namespace mind1024::host
