// MIND 1024 neuron update unit (contract section 1, "Neuron update").
//
// One neuron update is a stream of groups: each cycle with in_valid carries up
// to LANES synapse weights J[i][j] (two's complement, WBITS each, packed, lane 0
// in the low bits) and the matching state bits sigma[j] (1 = +1, 0 = -1).
// in_count says how many lanes are valid (1..LANES, the last group may be
// short); lanes at or above in_count are ignored whatever they hold.
//
//   in_start  qualifies in_valid: first group of a neuron. theta, eta, state_in
//             and wrap are sampled in that cycle.
//   in_last   qualifies in_valid: last group of the neuron (a one-group neuron
//             has in_start and in_last set together).
//   done      one-cycle pulse, 3 clock cycles after the cycle that carried the
//             last group; h, ovf_count, ovf and state_out are valid with it and
//             hold until the next done.
//
// Groups may be separated by idle cycles (in_valid low) and the next neuron may
// start in the cycle right after the previous last group: the unit accepts one
// group per cycle and never stalls, so a neuron costs ceil(n / LANES) cycles.
//
// Pipeline:
//   stage 0 (comb)  lane terms +-J (masked by in_count), binary adder tree:
//                   the exact group sum, WBITS + 1 + clog2(LANES) bits
//   stage 1 (reg)   group sum and its flags, the neuron's theta/eta/state/wrap
//   stage 2 (reg)   accumulator: acc = to_ABITS(acc + group), saturate or wrap,
//                   one overflow event per addition that left the ABITS range
//   stage 3 (reg)   decision d = h - theta + eta (exact, widened): +1 if d > 0,
//                   -1 if d < 0, state_in if d = 0; outputs and done
`default_nettype none

module neuron_unit #(
    parameter integer WBITS = 8,   // synapse width, 1..16
    parameter integer ABITS = 24,  // accumulator / threshold width, 2..32
    parameter integer LANES = 16,  // synapses per cycle, 1..255
    parameter integer CBITS = 16,  // overflow counter width (saturates), 1..32
    parameter integer EBITS = 33   // width of the signed noise term eta, 2..40
) (
    input  wire                        clk,
    input  wire                        rst,       // synchronous, active high
    input  wire                        in_valid,
    input  wire                        in_start,
    input  wire                        in_last,
    input  wire [$clog2(LANES+1)-1:0]  in_count,  // valid lanes, 1..LANES
    input  wire [LANES*WBITS-1:0]      in_w,      // lane k at [k*WBITS +: WBITS]
    input  wire [LANES-1:0]            in_s,      // lane k state, 1 = +1
    input  wire                        wrap,      // 0 saturate, 1 wrap (sampled with in_start)
    input  wire signed [ABITS-1:0]     theta,     // sampled with in_start
    input  wire signed [EBITS-1:0]     eta,       // noise term, sampled with in_start
    input  wire                        state_in,  // current state, sampled with in_start
    output reg                         done,
    output reg  signed [ABITS-1:0]     h,         // field (accumulator after the last group)
    output reg  [CBITS-1:0]            ovf_count, // overflow events of this neuron
    output reg                         ovf,       // ovf_count != 0
    output reg                         state_out  // new state, 1 = +1
);

    // ------------------------------------------------------------------
    // Parameter checks: illegal combinations stop elaboration.
    generate
        if (WBITS < 1 || WBITS > 16) begin : g_bad_wbits
            $error("neuron_unit: parameter WBITS out of range (must be 1..16)");
        end
        if (ABITS < 2 || ABITS > 32) begin : g_bad_abits
            $error("neuron_unit: parameter ABITS out of range (must be 2..32)");
        end
        if (LANES < 1 || LANES > 255) begin : g_bad_lanes
            $error("neuron_unit: parameter LANES out of range (must be 1..255)");
        end
        if (CBITS < 1 || CBITS > 32) begin : g_bad_cbits
            $error("neuron_unit: parameter CBITS out of range (must be 1..32)");
        end
        if (EBITS < 2 || EBITS > 40) begin : g_bad_ebits
            $error("neuron_unit: parameter EBITS out of range (must be 2..40)");
        end
    endgenerate

    localparam integer CNTW  = $clog2(LANES + 1);
    localparam integer LV    = $clog2(LANES);          // adder tree levels
    localparam integer P     = 1 << LV;                // leaves (LANES padded to a power of 2)
    localparam integer GBITS = WBITS + 1 + LV;         // exact group sum
    localparam integer XBITS = (ABITS > GBITS ? ABITS : GBITS) + 1;  // acc + group, exact
    localparam integer DBITS = (ABITS > EBITS ? ABITS : EBITS) + 2;  // h - theta + eta, exact

    // ------------------------------------------------------------------
    // Stage 0: lane terms and the adder tree (combinational).
    genvar l, k;
    generate
        for (l = 0; l <= LV; l = l + 1) begin : g_lvl
            localparam integer WL = WBITS + 1 + l;   // node width at this level
            localparam integer NL = P >> l;          // nodes at this level
            wire [NL*WL-1:0] v;
            if (l == 0) begin : g_leaf
                for (k = 0; k < P; k = k + 1) begin : g_lane
                    if (k < LANES) begin : g_on
                        localparam [CNTW-1:0] KIDX = k;
                        wire [WBITS-1:0] wk = in_w[k*WBITS +: WBITS];
                        wire [WBITS:0]   wx = {wk[WBITS-1], wk};   // sign-extend
                        wire             en = in_count > KIDX;
                        assign v[k*WL +: WL] = !en ? {WL{1'b0}} : (in_s[k] ? wx : (~wx + 1'b1));
                    end else begin : g_pad
                        assign v[k*WL +: WL] = {WL{1'b0}};
                    end
                end
            end else begin : g_node
                for (k = 0; k < NL; k = k + 1) begin : g_add
                    wire [WL-2:0] a = g_lvl[l-1].v[(2*k)*(WL-1) +: WL-1];
                    wire [WL-2:0] b = g_lvl[l-1].v[(2*k+1)*(WL-1) +: WL-1];
                    assign v[k*WL +: WL] = {a[WL-2], a} + {b[WL-2], b};
                end
            end
        end
    endgenerate

    wire [GBITS-1:0] group_sum = g_lvl[LV].v;

    // ------------------------------------------------------------------
    // Stage 1: group sum and the neuron's parameters.
    reg              s1_valid, s1_first, s1_last;
    reg [GBITS-1:0]  s1_sum;
    reg [ABITS-1:0]  s1_theta;
    reg [EBITS-1:0]  s1_eta;
    reg              s1_state, s1_wrap;

    always @(posedge clk) begin
        if (rst) begin
            s1_valid <= 1'b0;
            s1_first <= 1'b0;
            s1_last  <= 1'b0;
        end else begin
            s1_valid <= in_valid;
            s1_first <= in_valid & in_start;
            s1_last  <= in_valid & in_last;
        end
        if (in_valid) s1_sum <= group_sum;
        if (in_valid && in_start) begin
            s1_theta <= theta;
            s1_eta   <= eta;
            s1_state <= state_in;
            s1_wrap  <= wrap;
        end
    end

    // ------------------------------------------------------------------
    // Stage 2: accumulate, bring back to ABITS, count overflows.
    reg [ABITS-1:0]  acc;
    reg [CBITS-1:0]  cnt;
    reg              s2_last;
    reg [ABITS-1:0]  s2_theta;
    reg [EBITS-1:0]  s2_eta;
    reg              s2_state, s2_wrap;

    wire [ABITS-1:0] acc_base = s1_first ? {ABITS{1'b0}} : acc;
    wire [CBITS-1:0] cnt_base = s1_first ? {CBITS{1'b0}} : cnt;
    wire             wrap_now = s1_first ? s1_wrap : s2_wrap;
    wire [XBITS-1:0] sum_x    = {{(XBITS-ABITS){acc_base[ABITS-1]}}, acc_base}
                              + {{(XBITS-GBITS){s1_sum[GBITS-1]}}, s1_sum};
    // In range iff bits XBITS-1 .. ABITS-1 are all equal.
    wire [XBITS-ABITS:0] top = sum_x[XBITS-1:ABITS-1];
    wire             ovf_now  = ~((&top) | ~(|top));
    wire [ABITS-1:0] sat_val  = sum_x[XBITS-1] ? {1'b1, {(ABITS-1){1'b0}}} : {1'b0, {(ABITS-1){1'b1}}};
    wire [ABITS-1:0] acc_next = (ovf_now && !wrap_now) ? sat_val : sum_x[ABITS-1:0];
    wire [CBITS-1:0] cnt_next = (&cnt_base) ? cnt_base : cnt_base + {{(CBITS-1){1'b0}}, ovf_now};

    always @(posedge clk) begin
        if (rst) s2_last <= 1'b0;
        else     s2_last <= s1_valid & s1_last;
        if (s1_valid) begin
            acc <= acc_next;
            cnt <= cnt_next;
        end
        if (s1_valid && s1_first) begin
            s2_theta <= s1_theta;
            s2_eta   <= s1_eta;
            s2_state <= s1_state;
            s2_wrap  <= s1_wrap;
        end
    end

    // ------------------------------------------------------------------
    // Stage 3: decision, exact: d = h - theta + eta.
    wire [DBITS-1:0] d = {{(DBITS-ABITS){acc[ABITS-1]}}, acc}
                       - {{(DBITS-ABITS){s2_theta[ABITS-1]}}, s2_theta}
                       + {{(DBITS-EBITS){s2_eta[EBITS-1]}}, s2_eta};
    wire d_neg  = d[DBITS-1];
    wire d_zero = ~(|d);
    wire decided = d_zero ? s2_state : ~d_neg;

    always @(posedge clk) begin
        if (rst) done <= 1'b0;
        else     done <= s2_last;
        if (s2_last) begin
            h         <= acc;
            ovf_count <= cnt;
            ovf       <= |cnt;
            state_out <= decided;
        end
    end

endmodule

`default_nettype wire
