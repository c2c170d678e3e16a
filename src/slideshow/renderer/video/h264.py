"""Just enough H.264 bitstream handling to make pictures without encoding them: every render
uses it, for still holds and for transitions between stills.

Still holds: a hold is its keyframe followed by P pictures in which every macroblock is
skipped: each decodes to an exact copy of the frame before it (a skipped macroblock with no
coded neighbours predicts a zero motion vector and carries no residual, so the copy is
bit-exact and the deblocking filter has nothing to do). Such frames differ from one another
only in `frame_num` and `pic_order_cnt_lsb` (the pieces' parameter sets use picture order
count type 0, which allows B pictures), so x264 writes one, for a flat picture of the right
size with the pieces' own headers, and the rest are that slice renumbered (`SkipFrames`). A
2-second GOP of a still costs one encoded picture instead of sixty.

Transitions between stills (assemble.py): an all-skip B slice x264 wrote once, renumbered,
between the outgoing picture and the incoming keyframe turned from an IDR into a non-IDR I
picture (`as_reference_i`); the decoder's implicit weights, derived from the pictures' order
counts (`implicit_weight`), make the mix. `parse_sps` and `parse_pps` read the fields the
slice headers' layout depends on.

References: ITU-T H.264, 7.3.1 (NAL unit), 7.3.2.1.1 (sequence parameter set), 7.3.2.2
(picture parameter set), 7.3.3 (slice header), 7.4.1 (emulation prevention) and 8.4.2.3.1
(implicit weights).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import RenderError

NAL_SPS = 7
NAL_NON_IDR_SLICE = 1

# Profiles whose SPS carries chroma format, bit depths and scaling matrices (7.3.2.1.1).
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def nal_units(annexb: bytes) -> list[bytes]:
    """The NAL units of an Annex B byte string (start codes removed)."""
    starts = [m.end() for m in re.finditer(b"\x00\x00\x01", annexb)]
    ends = [start - 3 for start in starts[1:]] + [len(annexb)]
    # Zeros before a start code are padding or part of a 4-byte start code: a NAL unit
    # never ends in a zero byte.
    units = [annexb[start:end].rstrip(b"\x00") for start, end in zip(starts, ends)]
    return [unit for unit in units if unit]


def unescape(payload: bytes) -> bytes:
    """NAL payload to RBSP: drop each emulation prevention byte (00 00 03 -> 00 00)."""
    return re.sub(b"\x00\x00\x03", b"\x00\x00", payload)


def escape(rbsp: bytes) -> bytes:
    """RBSP to NAL payload: 00 00 followed by 00..03 gets a 03 between (the scan resumes after
    the two zeros, so 00 00 00 00 becomes 00 00 03 00 00, as the spec's byte-by-byte rule)."""
    return _EMULATION.sub(b"\x00\x00\x03", rbsp)


_EMULATION = re.compile(b"\x00\x00(?=[\x00-\x03])")


class Bits:
    """Reads an RBSP bit by bit, MSB first: fixed-length and Exp-Golomb codes."""

    def __init__(self, data: bytes):
        self.value = int.from_bytes(data, "big")
        self.length = len(data) * 8
        self.pos = 0

    def u(self, n: int) -> int:
        if self.pos + n > self.length:
            raise RenderError("internal error: H.264 header shorter than expected")
        shift = self.length - self.pos - n
        self.pos += n
        return (self.value >> shift) & ((1 << n) - 1)

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise RenderError("internal error: malformed Exp-Golomb code in H.264 header")
        return (1 << zeros) - 1 + self.u(zeros)


@dataclass(frozen=True)
class Sequence:
    """The SPS fields a slice header's layout depends on."""

    log2_max_frame_num: int
    poc_type: int
    frame_mbs_only: bool
    separate_colour_plane: bool
    log2_max_poc_lsb: int = 0  # picture order count type 0 only


def parse_sps(extradata: bytes) -> Sequence:
    """The sequence parameter set of Annex B extradata (as x264 writes it)."""
    for unit in nal_units(extradata):
        if unit[0] & 0x1F == NAL_SPS:
            return _sps(Bits(unescape(unit[1:])))
    raise RenderError("internal error: the encoder wrote no H.264 sequence parameter set")


def _sps(bits: Bits) -> Sequence:
    profile = bits.u(8)
    bits.u(16)  # constraint flags, level
    bits.ue()  # seq_parameter_set_id
    separate = False
    if profile in _HIGH_PROFILES:
        if bits.ue() == 3:  # chroma_format_idc
            separate = bool(bits.u(1))
        bits.ue()  # bit_depth_luma_minus8
        bits.ue()  # bit_depth_chroma_minus8
        bits.u(1)  # qpprime_y_zero_transform_bypass_flag
        if bits.u(1):
            raise RenderError("internal error: H.264 scaling matrices are not supported here")
    log2_max_frame_num = bits.ue() + 4
    poc_type = bits.ue()
    log2_max_poc_lsb = 0
    if poc_type == 0:  # what x264 writes with B pictures allowed: the pieces' type
        log2_max_poc_lsb = bits.ue() + 4
    elif poc_type != 2:  # type 2 (order count follows frame_num): x264 without B pictures
        return Sequence(log2_max_frame_num, poc_type, True, separate)
    bits.ue()  # max_num_ref_frames
    bits.u(1)  # gaps_in_frame_num_value_allowed_flag
    bits.ue()  # pic_width_in_mbs_minus1
    bits.ue()  # pic_height_in_map_units_minus1
    frame_mbs_only = bool(bits.u(1))
    return Sequence(log2_max_frame_num, poc_type, frame_mbs_only, separate, log2_max_poc_lsb)


class SkipFrames:
    """Copies of one all-skip P slice, numbered for their place after a keyframe."""

    def __init__(self, extradata: bytes, template: bytes):
        self.extradata = extradata
        self.checked = False  # decoded after a real keyframe and found to copy it exactly
        self.sequence = seq = parse_sps(extradata)
        if seq.poc_type not in (0, 2) or not seq.frame_mbs_only or seq.separate_colour_plane:
            raise RenderError("internal error: skip frames need progressive 4:2:0 H.264")
        slices = [u for u in nal_units(template) if u[0] & 0x1F == NAL_NON_IDR_SLICE]
        if len(slices) != 1:
            raise RenderError("internal error: the skip frame is not a single P slice")
        unit = slices[0]
        self.header = unit[:1]
        bits = Bits(unescape(unit[1:]))
        bits.ue()  # first_mb_in_slice
        bits.ue()  # slice_type
        bits.ue()  # pic_parameter_set_id
        self.frame_num_at = bits.pos  # then frame_num, the one field that differs
        self.bits = bits.value
        self.length = bits.length

    def frame(self, number: int, poc: int | None = None) -> bytes:
        """The P frame `number` frames after a keyframe (frame_num `number`; with picture
        order count type 0, the count `poc`, by default two a frame as x264 counts), as an
        Annex B packet."""
        seq = self.sequence
        width = seq.log2_max_frame_num
        value = _put(self.bits, self.length, self.frame_num_at, width, number)
        if seq.poc_type == 0:
            at = self.frame_num_at + width
            value = _put(
                value, self.length, at, seq.log2_max_poc_lsb, 2 * number if poc is None else poc
            )
        return b"\x00\x00\x00\x01" + self.header + escape(value.to_bytes(self.length // 8, "big"))


def _put(value: int, length: int, at: int, width: int, field: int) -> int:
    """value (length bits, MSB first) with bits [at, at + width) replaced by field mod 2^width."""
    shift = length - at - width
    mask = ((1 << width) - 1) << shift
    return (value & ~mask) | ((field % (1 << width)) << shift)


# --- Transitions made by weighted prediction (assemble.py): a crossfade or fade frame between
# two stills is an all-skip B slice that x264 wrote once (for flat frames), renumbered,
# between the outgoing picture and the incoming keyframe turned into a non-IDR I picture; the
# decoder's implicit weights (from picture order counts) make the blend. tests/test_h264.py
# decodes such a stream strictly and checks every weight.

NAL_PPS = 8
NAL_IDR_SLICE = 5


@dataclass(frozen=True)
class Pictures:
    """The PPS fields a slice header's layout depends on (7.3.2.2)."""

    bottom_field_pic_order_in_frame_present: bool
    weighted_bipred_idc: int
    deblocking_filter_control_present: bool
    redundant_pic_cnt_present: bool


def parse_pps(extradata: bytes) -> Pictures:
    for unit in nal_units(extradata):
        if unit[0] & 0x1F == NAL_PPS:
            bits = Bits(unescape(unit[1:]))
            bits.ue()  # pic_parameter_set_id
            bits.ue()  # seq_parameter_set_id
            bits.u(1)  # entropy_coding_mode_flag
            bottom = bool(bits.u(1))
            if bits.ue():  # num_slice_groups_minus1
                raise RenderError("internal error: H.264 slice groups are not supported here")
            bits.ue()  # num_ref_idx_l0_default_active_minus1
            bits.ue()  # num_ref_idx_l1_default_active_minus1
            bits.u(1)  # weighted_pred_flag
            bipred = bits.u(2)
            _se(bits)  # pic_init_qp_minus26
            _se(bits)  # pic_init_qs_minus26
            _se(bits)  # chroma_qp_index_offset
            deblocking = bool(bits.u(1))
            bits.u(1)  # constrained_intra_pred_flag
            redundant = bool(bits.u(1))
            return Pictures(bottom, bipred, deblocking, redundant)
    raise RenderError("internal error: the encoder wrote no H.264 picture parameter set")


def _se(bits: Bits) -> int:
    code = bits.ue()
    return (code + 1) // 2 if code % 2 else -(code // 2)


class BitWriter:
    """Writes an RBSP bit by bit, MSB first: fixed-length and Exp-Golomb codes."""

    def __init__(self) -> None:
        self.value = 0
        self.length = 0

    def u(self, n: int, value: int) -> None:
        self.value = (self.value << n) | (value & ((1 << n) - 1))
        self.length += n

    def ue(self, value: int) -> None:
        code = value + 1
        width = code.bit_length()
        self.u(width - 1, 0)
        self.u(width, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def aligned_with_ones(self) -> bytes:
        """The bits, padded to a byte with ones (cabac_alignment_one_bit), as bytes."""
        pad = -self.length % 8
        self.u(pad, (1 << pad) - 1)
        return self.value.to_bytes(self.length // 8, "big")


def renumbered(unit: bytes, sequence: Sequence, frame_num: int, poc_lsb: int) -> bytes:
    """A non-IDR slice NAL unit (start code removed) with its frame_num and
    pic_order_cnt_lsb (picture order count type 0) set: both fixed-width fields, so nothing
    else moves."""
    if unit[0] & 0x1F != NAL_NON_IDR_SLICE or sequence.poc_type != 0:
        raise RenderError("internal error: only non-IDR slices with POC type 0 are renumbered")
    rbsp = unescape(unit[1:])
    bits = Bits(rbsp)
    bits.ue()  # first_mb_in_slice
    bits.ue()  # slice_type
    bits.ue()  # pic_parameter_set_id
    length = len(rbsp) * 8
    value = _put(bits.value, length, bits.pos, sequence.log2_max_frame_num, frame_num)
    at = bits.pos + sequence.log2_max_frame_num
    value = _put(value, length, at, sequence.log2_max_poc_lsb, poc_lsb)
    return unit[:1] + escape(value.to_bytes(len(rbsp), "big"))


@dataclass(frozen=True)
class _IdrHeader:
    """The fields of an IDR I slice's header as x264 writes it (7.3.3), and where its slice
    data starts (CABAC data is byte-aligned, so a header may be rewritten at another length)."""

    first_mb: int
    slice_type: int
    pps_id: int
    frame_num: int
    idr_pic_id: int
    poc_lsb: int
    no_output_of_prior_pics: int
    long_term_reference: int
    qp_delta: int
    deblocking: tuple[int, ...]
    data: bytes  # the slice data, from its first byte


def _idr_header(unit: bytes, sequence: Sequence, pictures: Pictures) -> _IdrHeader:
    if unit[0] & 0x1F != NAL_IDR_SLICE or sequence.poc_type != 0:
        raise RenderError("internal error: only IDR slices with POC type 0 are rewritten")
    if pictures.bottom_field_pic_order_in_frame_present or pictures.redundant_pic_cnt_present:
        raise RenderError("internal error: unexpected fields in an x264 slice header")
    rbsp = unescape(unit[1:])
    bits = Bits(rbsp)
    first_mb, slice_type, pps_id = bits.ue(), bits.ue(), bits.ue()
    frame_num = bits.u(sequence.log2_max_frame_num)
    idr_pic_id = bits.ue()
    poc_lsb = bits.u(sequence.log2_max_poc_lsb)
    no_output, long_term = bits.u(1), bits.u(1)
    qp_delta = _se(bits)
    deblocking: tuple[int, ...] = ()
    if pictures.deblocking_filter_control_present:
        idc = bits.ue()
        deblocking = (idc,) if idc == 1 else (idc, _se(bits), _se(bits))
    while bits.pos % 8:
        if bits.u(1) != 1:
            raise RenderError("internal error: an H.264 slice header does not end as expected")
    return _IdrHeader(
        first_mb, slice_type, pps_id, frame_num, idr_pic_id, poc_lsb, no_output, long_term,
        qp_delta, deblocking, rbsp[bits.pos // 8 :],
    )  # fmt: skip


def _slice_tail(out: BitWriter, header: _IdrHeader) -> bytes:
    """slice_qp_delta, the deblocking fields, the alignment, then the slice data unchanged."""
    out.se(header.qp_delta)
    if header.deblocking:
        out.ue(header.deblocking[0])
        for offset in header.deblocking[1:]:
            out.se(offset)
    return escape(out.aligned_with_ones() + header.data)


def as_reference_i(
    unit: bytes, sequence: Sequence, pictures: Pictures, frame_num: int, poc_lsb: int
) -> bytes:
    """An IDR slice (a piece's first keyframe, as x264 writes it with CABAC) as a non-IDR I
    slice that keeps the pictures before it: NAL type 1, no idr_pic_id, sliding-window
    reference marking, frame_num and pic_order_cnt_lsb set; the slice data is unchanged (CABAC
    data starts byte-aligned, so the header may change length)."""
    header = _idr_header(unit, sequence, pictures)
    out = BitWriter()
    out.ue(header.first_mb)
    out.ue(header.slice_type)
    out.ue(header.pps_id)
    out.u(sequence.log2_max_frame_num, frame_num)
    out.u(sequence.log2_max_poc_lsb, poc_lsb)
    out.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: the sliding window
    nal = (unit[0] & 0xE0) | NAL_NON_IDR_SLICE
    return bytes([nal]) + _slice_tail(out, header)


def idr_pic_id(unit: bytes, sequence: Sequence, pictures: Pictures) -> int:
    return _idr_header(unit, sequence, pictures).idr_pic_id


def with_idr_pic_id(unit: bytes, sequence: Sequence, pictures: Pictures, idr_pic_id: int) -> bytes:
    """An IDR slice with another idr_pic_id, the rest as it was: two IDR pictures in a row
    must differ in it (7.4.3), and every piece's keyframe is written with 0."""
    header = _idr_header(unit, sequence, pictures)
    out = BitWriter()
    out.ue(header.first_mb)
    out.ue(header.slice_type)
    out.ue(header.pps_id)
    out.u(sequence.log2_max_frame_num, header.frame_num)
    out.ue(idr_pic_id)
    out.u(sequence.log2_max_poc_lsb, header.poc_lsb)
    out.u(1, header.no_output_of_prior_pics)
    out.u(1, header.long_term_reference)
    return unit[:1] + _slice_tail(out, header)


def implicit_weight(poc: int, poc0: int, poc1: int) -> int:
    """The weight of the list 1 picture in implicit weighted bi-prediction (8.4.2.3.1), in
    64ths; 32 where the spec falls back to equal weights."""
    tb = max(-128, min(127, poc - poc0))
    td = max(-128, min(127, poc1 - poc0))
    if td == 0:
        return 32
    tx = _div(16384 + abs(_div(td, 2)), td)
    scale = max(-1024, min(1023, (tb * tx + 32) >> 6))
    w1 = scale >> 2
    return 32 if w1 < -64 or w1 > 128 else w1


def _div(a: int, b: int) -> int:
    """Integer division truncating toward zero, as the spec's "/"."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q
