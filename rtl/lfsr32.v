// MIND 1024 noise source (contract section 1, "Noise"): the 32-bit Galois LFSR
// and the noise term eta.
//
// One step: lsb = s & 1; s >>= 1; if (lsb) s ^= 0x80200003.
// load: s <= seed (0 is replaced by 1); load has priority over op.
// op:   0 hold, 1 one step, 2 a 16-bit draw (16 steps), 3 a 32-bit draw
//       (32 steps, used by the ASYNC_PERM shuffle). Every op takes one cycle.
// r   = the low 16 bits of s as a signed value (the draw after op 2);
// eta = (r * temp) >> 15, arithmetic (rounds toward -inf), so |eta| <= temp;
//       33 bits signed is exact for any 32-bit temp. r and eta are
//       combinational from the current state.
`default_nettype none

module lfsr32 (
    input  wire               clk,
    input  wire               rst,     // synchronous, active high: s <= 1
    input  wire               load,
    input  wire [31:0]        seed,
    input  wire [1:0]         op,
    input  wire [31:0]        temp,
    output reg  [31:0]        state,
    output wire signed [15:0] r,
    output wire signed [32:0] eta
);
    localparam [31:0] TAPS = 32'h80200003;

    // g_step[i].s = state after i+1 steps; 32 unrolled XOR stages.
    genvar i;
    generate
        for (i = 0; i < 32; i = i + 1) begin : g_step
            wire [31:0] p;
            wire [31:0] s;
            if (i == 0) begin : g_first
                assign p = state;
            end else begin : g_next
                assign p = g_step[i-1].s;
            end
            assign s = {1'b0, p[31:1]} ^ (p[0] ? TAPS : 32'h0);
        end
    endgenerate

    always @(posedge clk) begin
        if (rst)
            state <= 32'h1;
        else if (load)
            state <= (seed == 32'h0) ? 32'h1 : seed;
        else begin
            case (op)
                2'd1:    state <= g_step[0].s;
                2'd2:    state <= g_step[15].s;
                2'd3:    state <= g_step[31].s;
                default: state <= state;
            endcase
        end
    end

    assign r = state[15:0];

    // The product fits 48 bits signed (|r| <= 2^15, temp < 2^32); a 48-bit
    // multiply of the sign-/zero-extended operands gives its exact low bits.
    /* verilator lint_off UNUSEDSIGNAL */
    wire [47:0] prod = {{32{state[15]}}, state[15:0]} * {16'h0, temp};
    /* verilator lint_on UNUSEDSIGNAL */
    assign eta = prod[47:15];
endmodule

`default_nettype wire
