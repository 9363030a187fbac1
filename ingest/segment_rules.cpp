// Segment rules: a tokenizer and recursive-descent parser that reports the first syntax
// error by column, a check of the rule's fields against a table, and an evaluator that
// works a column at a time (rules are few, customers many).
#include "mirror/ingest/segment_rules.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace mirror::ingest {

struct RuleNode {
  enum class Kind { kOr, kAnd, kNot, kCompare, kIn, kArithmetic, kNegate, kField, kNumber, kText };
  Kind kind = Kind::kNumber;
  int column = 0;
  std::string op;     // kCompare: < <= > >= == !=; kArithmetic: + - * /; kIn: in, not in
  std::string text;   // as written: a field's name, a number, a quoted string with its quotes
  std::string value;  // kText: the string without its quotes
  double number = 0;  // kNumber
  std::vector<std::unique_ptr<RuleNode>> children;  // kIn: the value, then the list's items

  bool is_condition() const {
    return kind == Kind::kOr || kind == Kind::kAnd || kind == Kind::kNot ||
           kind == Kind::kCompare || kind == Kind::kIn;
  }
  bool is_literal() const { return kind == Kind::kNumber || kind == Kind::kText; }
};

namespace {

using NodeKind = RuleNode::Kind;
using NodePtr = std::unique_ptr<RuleNode>;

constexpr const char* kComparisons = "a comparison (< <= > >= == != in, not in)";

// --- tokens ------------------------------------------------------------------------------

enum class TokenKind { kName, kNumber, kText, kSymbol, kEnd, kError };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;   // as written
  std::string value;  // kText: without quotes; kError: the message
  double number = 0;
  int column = 0;
};

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_name_char(char c) {
  return is_name_start(c) || is_digit(c);
}
bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

bool is_keyword(const std::string& word) {
  return word == "and" || word == "or" || word == "not" || word == "in";
}

// The whole rule becomes tokens up to the first character that cannot start one, which
// becomes a kError token: the parser reports it only if nothing earlier is wrong.
std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  const std::size_t n = s.size();
  std::size_t i = 0;
  int column = 1;
  std::size_t counted = 0;  // bytes already counted into `column`
  const auto column_at = [&](std::size_t at) {
    for (; counted < at; ++counted)
      if (!is_continuation_byte(s[counted])) ++column;
    return column;
  };
  const auto push = [&](TokenKind kind, std::size_t start, std::string value = "",
                        double number = 0) {
    out.push_back({kind, s.substr(start, i - start), std::move(value), number, column_at(start)});
  };
  const auto fail = [&](std::size_t at, std::string message) {
    out.push_back({TokenKind::kError, "", std::move(message), 0, column_at(at)});
    return out;
  };
  while (true) {
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    if (i >= n) {
      push(TokenKind::kEnd, i);
      return out;
    }
    const std::size_t start = i;
    const char c = s[i];
    if (is_name_start(c)) {
      while (i < n && is_name_char(s[i])) ++i;
      push(TokenKind::kName, start);
      continue;
    }
    if (is_digit(c) || (c == '.' && i + 1 < n && is_digit(s[i + 1]))) {
      while (i < n && (is_digit(s[i]) || s[i] == '.')) ++i;
      if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < n && is_digit(s[j])) {
          i = j;
          while (i < n && is_digit(s[i])) ++i;
        }
      }
      std::size_t end = i;  // a run such as `30days` or `1.2.3` is one bad number
      while (end < n && (is_name_char(s[end]) || s[end] == '.')) ++end;
      const std::string written = s.substr(start, end - start);
      char* stop = nullptr;
      errno = 0;
      const double v = std::strtod(written.c_str(), &stop);
      if (end != i || stop != written.c_str() + written.size() || errno == ERANGE ||
          !std::isfinite(v))
        return fail(start, "expected a number, found '" + written + "'");
      push(TokenKind::kNumber, start, "", v);
      continue;
    }
    if (c == '\'' || c == '"') {
      const std::size_t close = s.find(c, i + 1);
      if (close == std::string::npos)
        return fail(start, std::string("expected a closing ") + c +
                               " to end the string, found the end of the rule");
      i = close + 1;
      push(TokenKind::kText, start, s.substr(start + 1, close - start - 1));
      continue;
    }
    const std::string two = s.substr(i, 2);
    if (two == "<=" || two == ">=" || two == "==" || two == "!=") {
      i += 2;
      push(TokenKind::kSymbol, start);
      continue;
    }
    if (std::string("<>()[],+-*/").find(c) != std::string::npos) {
      ++i;
      push(TokenKind::kSymbol, start);
      continue;
    }
    // Spellings from other languages get the word this language uses.
    if (c == '=') return fail(start, "expected '==' to compare, found '='");
    if (c == '!') return fail(start, "expected 'not' or '!=', found '!'");
    if (c == '&')
      return fail(start, "expected 'and', found '" + std::string(two == "&&" ? "&&" : "&") + "'");
    if (c == '|')
      return fail(start, "expected 'or', found '" + std::string(two == "||" ? "||" : "|") + "'");
    std::size_t end = i + 1;
    while (end < n && is_continuation_byte(s[end])) ++end;
    return fail(start,
                "expected a field name, a number, a quoted string, an operator or a parenthesis, "
                "found '" +
                    s.substr(start, end - start) + "'");
  }
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd:
      return "the end of the rule";
    case TokenKind::kNumber:
      return "the number " + t.text;
    case TokenKind::kText:
      return "the string " + t.text;
    default:
      return "'" + t.text + "'";
  }
}

// --- parser ------------------------------------------------------------------------------

struct ParseFailure {
  int column;
  std::string message;
};

// Precedence, loosest first: or, and, not, comparison, + -, * /, unary -. Conditions and
// values are told apart while parsing, so `a and 3` fails here, not later.
class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  NodePtr parse_rule() {
    auto node = parse_or(false);
    if (peek().kind != TokenKind::kEnd)
      fail(peek(), "expected 'and', 'or' or the end of the rule, found " + describe(peek()));
    return node;
  }

 private:
  [[noreturn]] static void fail(int column, std::string message) {
    throw ParseFailure{column, std::move(message)};
  }
  [[noreturn]] static void fail(const Token& t, std::string message) {
    fail(t.column, std::move(message));
  }

  const Token& peek() const {
    const Token& t = tokens_[pos_];
    if (t.kind == TokenKind::kError) fail(t, t.value);
    return t;
  }
  Token take() {
    Token t = peek();
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool at_keyword(const char* word) const {
    return peek().kind == TokenKind::kName && peek().text == word;
  }
  bool at_symbol(const char* symbol) const {
    return peek().kind == TokenKind::kSymbol && peek().text == symbol;
  }
  bool at_comparison() const {
    if (peek().kind != TokenKind::kSymbol) return false;
    const auto& s = peek().text;
    return s == "<" || s == "<=" || s == ">" || s == ">=" || s == "==" || s == "!=";
  }
  bool at_not_in() const {
    return at_keyword("not") && pos_ + 1 < tokens_.size() &&
           tokens_[pos_ + 1].kind == TokenKind::kName && tokens_[pos_ + 1].text == "in";
  }

  static void require_value(const RuleNode& n, const std::string& where) {
    if (n.is_condition()) fail(n.column, "expected a value " + where + ", found a condition");
  }

  static NodePtr node(NodeKind kind, int column, std::string op = "") {
    auto n = std::make_unique<RuleNode>();
    n->kind = kind;
    n->column = column;
    n->op = std::move(op);
    return n;
  }
  static NodePtr binary(NodeKind kind, std::string op, NodePtr left, NodePtr right) {
    auto n = node(kind, left->column, std::move(op));
    n->children.push_back(std::move(left));
    n->children.push_back(std::move(right));
    return n;
  }

  // `value_ok`: inside parentheses, where `(a + b)` may be a value; elsewhere a condition
  // is required, and a value followed by anything but a comparison is reported there.
  NodePtr parse_or(bool value_ok) {
    auto left = parse_and(value_ok);
    while (at_keyword("or")) {
      if (!left->is_condition())
        fail(peek(), std::string("expected ") + kComparisons + ", found 'or'");
      take();
      left = binary(NodeKind::kOr, "or", std::move(left), parse_and(false));
    }
    return left;
  }

  NodePtr parse_and(bool value_ok) {
    auto left = parse_not(value_ok);
    while (at_keyword("and")) {
      if (!left->is_condition())
        fail(peek(), std::string("expected ") + kComparisons + ", found 'and'");
      take();
      left = binary(NodeKind::kAnd, "and", std::move(left), parse_not(false));
    }
    return left;
  }

  NodePtr parse_not(bool value_ok) {
    if (at_keyword("not")) {
      const Token t = take();
      auto n = node(NodeKind::kNot, t.column, "not");
      n->children.push_back(parse_not(false));
      return n;
    }
    auto n = parse_comparison();
    if (!value_ok && !n->is_condition())
      fail(peek(), std::string("expected ") + kComparisons + ", found " + describe(peek()));
    return n;
  }

  NodePtr parse_comparison() {
    auto left = parse_additive();
    NodePtr n;
    if (at_comparison()) {
      const Token op = take();
      require_value(*left, "before '" + op.text + "'");
      auto right = parse_additive();
      require_value(*right, "after '" + op.text + "'");
      n = binary(NodeKind::kCompare, op.text, std::move(left), std::move(right));
    } else if (at_keyword("in") || at_not_in()) {
      const bool negated = at_keyword("not");
      if (negated) take();
      take();
      const std::string op = negated ? "not in" : "in";
      require_value(*left, "before '" + op + "'");
      n = node(NodeKind::kIn, left->column, op);
      n->children.push_back(std::move(left));
      parse_list(*n);
    } else {
      return left;
    }
    if (at_comparison() || at_keyword("in") || at_not_in())
      fail(peek(), "expected 'and' or 'or' between two comparisons, found " + describe(peek()) +
                       " (comparisons do not chain)");
    return n;
  }

  void parse_list(RuleNode& in) {
    if (!at_symbol("["))
      fail(peek(), "expected '[' after '" + in.op + "', found " + describe(peek()));
    const Token open = take();
    while (true) {
      const Token& t = peek();
      bool negative = false;
      int column = t.column;
      if (at_symbol("-") && tokens_[pos_ + 1].kind == TokenKind::kNumber) {
        take();
        negative = true;
      }
      const Token item = peek();
      if (item.kind != TokenKind::kNumber && item.kind != TokenKind::kText)
        fail(item, "expected a number or a quoted string in the list, found " + describe(item));
      take();
      in.children.push_back(literal(item, negative, column));
      if (at_symbol(",")) {
        take();
        continue;
      }
      if (at_symbol("]")) {
        take();
        return;
      }
      fail(peek(), "expected ',' or ']' to close the '[' at column " + std::to_string(open.column) +
                       ", found " + describe(peek()));
    }
  }

  static NodePtr literal(const Token& t, bool negative, int column) {
    auto n = node(t.kind == TokenKind::kNumber ? NodeKind::kNumber : NodeKind::kText, column);
    n->text = (negative ? "-" : "") + t.text;
    n->value = t.value;
    n->number = negative ? -t.number : t.number;
    return n;
  }

  NodePtr parse_additive() {
    auto left = parse_multiplicative();
    while (at_symbol("+") || at_symbol("-")) {
      const Token op = take();
      require_value(*left, "before '" + op.text + "'");
      auto right = parse_multiplicative();
      require_value(*right, "after '" + op.text + "'");
      left = binary(NodeKind::kArithmetic, op.text, std::move(left), std::move(right));
    }
    return left;
  }

  NodePtr parse_multiplicative() {
    auto left = parse_unary();
    while (at_symbol("*") || at_symbol("/")) {
      const Token op = take();
      require_value(*left, "before '" + op.text + "'");
      auto right = parse_unary();
      require_value(*right, "after '" + op.text + "'");
      left = binary(NodeKind::kArithmetic, op.text, std::move(left), std::move(right));
    }
    return left;
  }

  NodePtr parse_unary() {
    if (!at_symbol("-")) return parse_atom();
    const Token minus = take();
    auto operand = parse_unary();
    require_value(*operand, "after '-'");
    if (operand->kind == NodeKind::kNumber) {  // -5 is a literal, and reads so in messages
      operand->number = -operand->number;
      operand->text = "-" + operand->text;
      operand->column = minus.column;
      return operand;
    }
    auto n = node(NodeKind::kNegate, minus.column, "-");
    n->children.push_back(std::move(operand));
    return n;
  }

  NodePtr parse_atom() {
    const Token t = peek();
    const std::string expected = "expected a field name, a number, a quoted string or '(', found ";
    if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kText) {
      take();
      return literal(t, false, t.column);
    }
    if (t.kind == TokenKind::kName) {
      if (is_keyword(t.text)) fail(t, expected + describe(t));
      take();
      auto n = node(NodeKind::kField, t.column);
      n->text = t.text;
      return n;
    }
    if (t.kind == TokenKind::kSymbol && t.text == "(") {
      take();
      auto inner = parse_or(true);
      if (!at_symbol(")"))
        fail(peek(),
             std::string(inner->is_condition() ? "expected 'and', 'or'" : "expected an operator") +
                 " or ')' to close the '(' at column " + std::to_string(t.column) + ", found " +
                 describe(peek()));
      take();
      // A group is blamed at its '(' ("found a condition"); a lone name keeps its own column.
      if (!inner->is_literal() && inner->kind != NodeKind::kField) inner->column = t.column;
      return inner;
    }
    fail(t, expected + describe(t));
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

// --- check -------------------------------------------------------------------------------

// Optimal-string-alignment distance. The scenario module has one too, but it is private to
// the YAML loader's library, and ingest does not link yaml-cpp's users.
int edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

// " (did you mean 'x'?)" for the closest field within two edits, else "".
std::string suggestion(const std::string& word, const std::vector<RuleField>& fields) {
  std::string best;
  int best_distance = 3;
  for (const auto& f : fields) {
    const int d = edit_distance(word, f.name);
    if (d < best_distance && d < static_cast<int>(word.size())) {
      best = f.name;
      best_distance = d;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

class Checker {
 public:
  explicit Checker(const std::vector<RuleField>& fields) : fields_(fields) {}

  std::vector<RuleError> run(const RuleNode& root) {
    condition(root);
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const RuleError& a, const RuleError& b) { return a.column < b.column; });
    return std::move(errors_);
  }

 private:
  const RuleField* field(const std::string& name) const {
    for (const auto& f : fields_)
      if (f.name == name) return &f;
    return nullptr;
  }

  void error(const RuleNode& n, std::string message) {
    errors_.push_back({n.column, std::move(message)});
  }

  // The kind of a value, or nothing when it is unknown (and already reported).
  std::optional<FieldKind> kind(const RuleNode& n) {
    switch (n.kind) {
      case NodeKind::kNumber:
        return FieldKind::kNumber;
      case NodeKind::kText:
        return FieldKind::kText;
      case NodeKind::kField: {
        if (const auto* f = field(n.text)) return f->kind;
        error(n, "unknown field '" + n.text + "'" + suggestion(n.text, fields_));
        return std::nullopt;
      }
      default:  // arithmetic: its operands must be numbers, and so is its result
        for (const auto& c : n.children)
          if (kind(*c) == FieldKind::kText)
            error(*c, "expected a number for '" + n.op + "', found " + describe(*c));
        return FieldKind::kNumber;
    }
  }

  std::string describe(const RuleNode& n) const {
    switch (n.kind) {
      case NodeKind::kNumber:
        return "the number " + n.text;
      case NodeKind::kText:
        return "the string " + n.text;
      case NodeKind::kField: {
        const auto* f = field(n.text);
        if (f == nullptr) return "the field '" + n.text + "'";
        return std::string(f->kind == FieldKind::kText ? "the text field '"
                                                       : "the number field '") +
               n.text + "'";
      }
      default:
        return "a computed number";
    }
  }

  static std::string expected(FieldKind k) {
    return k == FieldKind::kText ? "a quoted string" : "a number";
  }

  void condition(const RuleNode& n) {
    switch (n.kind) {
      case NodeKind::kCompare: {
        const RuleNode& left = *n.children[0];
        const RuleNode& right = *n.children[1];
        const auto a = kind(left);
        const auto b = kind(right);
        if (!a || !b || *a == *b) return;
        // Blame the literal when one side is a field: `5 == rfm_segment` is about the 5.
        const bool blame_left = left.is_literal() && !right.is_literal();
        const RuleNode& wrong = blame_left ? left : right;
        const RuleNode& other = blame_left ? right : left;
        error(wrong, "expected " + expected(blame_left ? *b : *a) + " to compare with " +
                         describe(other) + ", found " + describe(wrong));
        return;
      }
      case NodeKind::kIn: {
        const RuleNode& value = *n.children[0];
        const auto a = kind(value);
        if (!a) return;
        for (std::size_t i = 1; i < n.children.size(); ++i) {
          const RuleNode& item = *n.children[i];
          if (kind(item) != *a)
            error(item, "expected " + expected(*a) + " in the list for " + describe(value) +
                            ", found " + describe(item));
        }
        return;
      }
      default:
        for (const auto& c : n.children) condition(*c);
    }
  }

  const std::vector<RuleField>& fields_;
  std::vector<RuleError> errors_;
};

// --- evaluation --------------------------------------------------------------------------

using Flags = std::vector<std::uint8_t>;

enum class Compare { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };

Compare compare_op(const std::string& op) {
  if (op == "<") return Compare::kLess;
  if (op == "<=") return Compare::kLessEqual;
  if (op == ">") return Compare::kGreater;
  if (op == ">=") return Compare::kGreaterEqual;
  if (op == "==") return Compare::kEqual;
  return Compare::kNotEqual;
}

template <class T>
bool holds(Compare op, const T& a, const T& b) {
  switch (op) {
    case Compare::kLess:
      return a < b;
    case Compare::kLessEqual:
      return a <= b;
    case Compare::kGreater:
      return a > b;
    case Compare::kGreaterEqual:
      return a >= b;
    case Compare::kEqual:
      return a == b;
    case Compare::kNotEqual:
      return a != b;
  }
  return false;
}

// A text operand: a column, or one literal for every row.
struct TextValues {
  const std::vector<std::string>* column = nullptr;
  std::string literal;
  const std::string& at(std::size_t row) const { return column ? (*column)[row] : literal; }
};

class Evaluator {
 public:
  explicit Evaluator(const results::Table& table) : rows_(table.rows()) {
    for (const auto& c : table.columns) columns_.emplace(c.name, &c);
  }

  Flags condition(const RuleNode& n) {
    switch (n.kind) {
      case NodeKind::kOr:
      case NodeKind::kAnd: {
        auto a = condition(*n.children[0]);
        const auto b = condition(*n.children[1]);
        for (std::size_t i = 0; i < rows_; ++i)
          a[i] = n.kind == NodeKind::kOr ? (a[i] | b[i]) : (a[i] & b[i]);
        return a;
      }
      case NodeKind::kNot: {
        auto a = condition(*n.children[0]);
        for (auto& v : a) v = v ? 0 : 1;
        return a;
      }
      case NodeKind::kCompare:
        return compare(n);
      default:
        return in_list(n);
    }
  }

 private:
  const results::Table::Column& column(const std::string& name) const {
    const auto* c = columns_.at(name);
    const std::size_t size = c->strings.empty() ? c->numbers.size() : c->strings.size();
    if (size != rows_)
      throw std::invalid_argument("column '" + name + "' has " + std::to_string(size) +
                                  " rows, the table " + std::to_string(rows_));
    return *c;
  }

  bool is_text(const RuleNode& n) const {
    if (n.kind == NodeKind::kText) return true;
    return n.kind == NodeKind::kField && !columns_.at(n.text)->strings.empty();
  }

  std::vector<double> numbers(const RuleNode& n) {
    switch (n.kind) {
      case NodeKind::kNumber:
        return std::vector<double>(rows_, n.number);
      case NodeKind::kField:
        return column(n.text).numbers;
      case NodeKind::kNegate: {
        auto a = numbers(*n.children[0]);
        for (auto& v : a) v = -v;
        return a;
      }
      default: {
        auto a = numbers(*n.children[0]);
        const auto b = numbers(*n.children[1]);
        const char op = n.op[0];
        for (std::size_t i = 0; i < rows_; ++i)
          a[i] = op == '+'   ? a[i] + b[i]
                 : op == '-' ? a[i] - b[i]
                 : op == '*' ? a[i] * b[i]
                             : a[i] / b[i];
        return a;
      }
    }
  }

  TextValues text(const RuleNode& n) {
    if (n.kind == NodeKind::kText) return {nullptr, n.value};
    return {&column(n.text).strings, ""};
  }

  Flags compare(const RuleNode& n) {
    const Compare op = compare_op(n.op);
    Flags out(rows_, 0);
    if (is_text(*n.children[0])) {
      const auto a = text(*n.children[0]);
      const auto b = text(*n.children[1]);
      for (std::size_t i = 0; i < rows_; ++i) {
        const auto& x = a.at(i);
        const auto& y = b.at(i);
        out[i] = !x.empty() && !y.empty() && holds(op, x, y);
      }
    } else {
      const auto a = numbers(*n.children[0]);
      const auto b = numbers(*n.children[1]);
      for (std::size_t i = 0; i < rows_; ++i)
        out[i] = !std::isnan(a[i]) && !std::isnan(b[i]) && holds(op, a[i], b[i]);
    }
    return out;
  }

  Flags in_list(const RuleNode& n) {
    const bool negated = n.op == "not in";
    Flags out(rows_, 0);
    const auto items = n.children.begin() + 1;
    if (is_text(*n.children[0])) {
      const auto a = text(*n.children[0]);
      for (std::size_t i = 0; i < rows_; ++i) {
        const auto& x = a.at(i);
        const bool found = std::any_of(items, n.children.end(),
                                       [&](const NodePtr& item) { return item->value == x; });
        out[i] = !x.empty() && found != negated;
      }
    } else {
      const auto a = numbers(*n.children[0]);
      for (std::size_t i = 0; i < rows_; ++i) {
        const bool found = std::any_of(items, n.children.end(),
                                       [&](const NodePtr& item) { return item->number == a[i]; });
        out[i] = !std::isnan(a[i]) && found != negated;
      }
    }
    return out;
  }

  std::size_t rows_;
  std::unordered_map<std::string, const results::Table::Column*> columns_;
};

}  // namespace

std::vector<RuleField> rule_fields(const results::Table& table) {
  std::vector<RuleField> out;
  for (const auto& c : table.columns)
    out.push_back({c.name, c.strings.empty() ? FieldKind::kNumber : FieldKind::kText});
  return out;
}

SegmentRule::SegmentRule(std::string text, std::shared_ptr<const RuleNode> root)
    : text_(std::move(text)), root_(std::move(root)) {}

std::vector<RuleError> SegmentRule::check(const std::vector<RuleField>& fields) const {
  return Checker(fields).run(*root_);
}

std::vector<std::string> SegmentRule::fields() const {
  std::vector<std::string> out;
  std::vector<const RuleNode*> stack{root_.get()};
  while (!stack.empty()) {
    const RuleNode* n = stack.back();
    stack.pop_back();
    if (n->kind == NodeKind::kField && std::find(out.begin(), out.end(), n->text) == out.end())
      out.push_back(n->text);
    for (auto it = n->children.rbegin(); it != n->children.rend(); ++it) stack.push_back(it->get());
  }
  return out;
}

std::vector<SegmentRule::TextLiteral> SegmentRule::texts_compared_with(
    const std::string& field) const {
  std::vector<TextLiteral> out;
  const auto is_field = [&](const RuleNode& n) { return n.kind == NodeKind::kField && n.text == field; };
  std::vector<const RuleNode*> stack{root_.get()};
  while (!stack.empty()) {
    const RuleNode* n = stack.back();
    stack.pop_back();
    if (n->kind == NodeKind::kCompare && (n->op == "==" || n->op == "!=")) {
      const RuleNode& a = *n->children[0];
      const RuleNode& b = *n->children[1];
      if (is_field(a) && b.kind == NodeKind::kText) out.push_back({b.column, b.value});
      if (is_field(b) && a.kind == NodeKind::kText) out.push_back({a.column, a.value});
    } else if (n->kind == NodeKind::kIn && is_field(*n->children[0])) {
      for (std::size_t i = 1; i < n->children.size(); ++i)
        if (n->children[i]->kind == NodeKind::kText)
          out.push_back({n->children[i]->column, n->children[i]->value});
    }
    for (const auto& c : n->children) stack.push_back(c.get());
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.column < y.column; });
  return out;
}

std::vector<std::uint8_t> SegmentRule::evaluate(const results::Table& table) const {
  const auto errors = check(rule_fields(table));
  if (!errors.empty())
    throw std::invalid_argument("rule '" + text_ + "', column " +
                                std::to_string(errors.front().column) + ": " +
                                errors.front().message);
  return Evaluator(table).condition(*root_);
}

RuleParse parse_segment_rule(const std::string& text) {
  RuleParse result;
  try {
    Parser parser(tokenize(text));
    std::shared_ptr<const RuleNode> root = parser.parse_rule();
    result.rule = SegmentRule(text, std::move(root));
  } catch (const ParseFailure& f) {
    result.error = RuleError{f.column, f.message};
  }
  return result;
}

}  // namespace mirror::ingest
