// The acknowledged stream of one window (docs/protocol.md): sequence numbers, ACKs, the resume
// token and the input events made while the socket is down.
//
// A window is in ack mode from a VIEW_START whose payload carries a resume token (the client
// asked for it in VIEW, the server agreed). Then every frame of the window's view has a
// sequence number: the window applies a frame only if its number is above the last it applied
// (a replay after a resume repeats frames the client may have applied already), and tells the
// server what it applied with ACK: right before an INPUT_EVENT, with every PING, and at most
// one second after applying a frame when nothing else went out (one timer per window).
//
// While the socket is down, or a RESUME is not answered yet, the window's input events wait
// here, in order, at most `OFFLINE_QUEUE_LIMIT`; RESUMED sends them, RESUME_FAILED drops them.
//
// An event sent just before the socket died may or may not have reached the server. So the
// window keeps each event it sent until it is known received: INPUT_EVENT_ACK of it or of a
// later one (the server acknowledges each event as it arrives, and one socket delivers in
// order), or a RESUMED whose `event` (the last id the server received) is at or above it.
// RESUME carries the last id sent; after RESUMED the kept events above the server's id go
// again, in order, with their ids, before the offline queue. At most
// `UNCONFIRMED_LIMIT` are kept; beyond, the oldest is forgotten (counted in the console) and
// would be lost with the socket. The server drops an id at or below the last it received, so
// a resend never runs a handler twice.

import { ackFrame, resumeFrame } from './protocol.js';

/** The most input events a window keeps while offline; beyond, the oldest are dropped. */
export const OFFLINE_QUEUE_LIMIT = 64;

/** The most input events sent and not known received a window keeps for a resend. */
export const UNCONFIRMED_LIMIT = 64;

/** How long after applying a frame the window acknowledges it if nothing else went out. */
export const ACK_DELAY_MS = 1000;

export class AckStream {
    /** `win` provides `P`, `id`, `runtimeId` and `send(frame)` (true when sent). */
    constructor(win) {
        this.win = win;
        // The resume token of VIEW_START, or null: the window is in plain mode.
        this.token = null;
        this.lastApplied = 0;
        this.lastAcked = 0;
        this.timer = null;
        // A RESUME is out and neither RESUMED nor RESUME_FAILED came back yet.
        this.resuming = false;
        // Input events waiting for the socket: {frame, eventId}, oldest first.
        this.queue = [];
        this.dropped = 0;
        // Input events sent and not known received: {frame, eventId}, oldest first.
        this.unconfirmed = [];
        this.forgotten = 0;
        // The id of the last input event sent in ack mode (RESUME carries it).
        this.lastSent = 0;
    }

    /** Whether the window runs its view in ack mode. */
    get enabled() {
        return this.token !== null;
    }

    /** Forgets everything: the window sends a VIEW (plain or asking for ack mode). */
    reset() {
        this.stopTimer();
        this.token = null;
        this.lastApplied = 0;
        this.lastAcked = 0;
        this.resuming = false;
        this.dropQueue();
        this.unconfirmed = [];
        this.forgotten = 0;
        this.lastSent = 0;
    }

    /** VIEW_START with `payload` and sequence number `seq` (undefined in plain mode). */
    started(payload, seq) {
        this.reset();
        const token = payload !== null && typeof payload === 'object' ? payload.resume : undefined;
        if (typeof token === 'string' && token !== '') {
            this.token = token;
            this.accept(seq);
        }
    }

    /**
     * Whether a frame with sequence number `seq` is new: false for a duplicate (at or below
     * the last applied). A frame without a number is always new and changes nothing here.
     */
    accept(seq) {
        if (!this.enabled || seq === undefined) {
            return true;
        }
        if (seq <= this.lastApplied) {
            return false;
        }
        this.lastApplied = seq;
        if (this.timer === null) {
            this.timer = setTimeout(() => {
                this.timer = null;
                this.flushAck();
            }, ACK_DELAY_MS);
        }
        return true;
    }

    /** Sends ACK if something was applied since the last one and the window is attached. */
    flushAck() {
        if (!this.enabled || this.resuming || this.lastApplied <= this.lastAcked) {
            return;
        }
        if (this.win.send(ackFrame(this.win.P, this.win.id, this.win.runtimeId, this.lastApplied))) {
            this.lastAcked = this.lastApplied;
            this.stopTimer();
        }
    }

    stopTimer() {
        if (this.timer !== null) {
            clearTimeout(this.timer);
            this.timer = null;
        }
    }

    /** Whether the view can be resumed on a new socket (ack mode, a view of this window). */
    canResume() {
        return this.enabled && this.win.runtimeId !== null && this.win.runtimeId !== undefined;
    }

    /** Sends RESUME for the window's view; events wait until it is answered. */
    sendResume(url) {
        this.stopTimer();
        this.resuming = true;
        const frame = resumeFrame(this.win.P, this.win.id, this.win.runtimeId, url, this.lastApplied, this.token, this.lastSent);
        if (this.win.send(frame)) {
            // RESUME carries the last applied number: the server takes it as acknowledged.
            this.lastAcked = this.lastApplied;
        }
    }

    /** Whether an input event must wait: the view is resumable and not attached right now. */
    mustQueue(connected) {
        return this.enabled && (!connected || this.resuming);
    }

    /** Keeps an input event for after the resume; drops the oldest beyond the limit. */
    enqueue(frame, eventId) {
        this.queue.push({ frame, eventId });
        while (this.queue.length > OFFLINE_QUEUE_LIMIT) {
            this.queue.shift();
            this.dropped += 1;
            console.warn(`lona: window ${this.win.id} dropped ${this.dropped} input event(s) made offline (more than ${OFFLINE_QUEUE_LIMIT})`);
        }
    }

    /** An input event went out on the socket: kept until it is known received. */
    sent(frame, eventId) {
        if (!this.enabled) {
            return;
        }
        this.lastSent = Math.max(this.lastSent, eventId);
        this.unconfirmed.push({ frame, eventId });
        while (this.unconfirmed.length > UNCONFIRMED_LIMIT) {
            this.unconfirmed.shift();
            this.forgotten += 1;
            console.warn(`lona: window ${this.win.id} stopped keeping ${this.forgotten} unacknowledged input event(s) for a resend (more than ${UNCONFIRMED_LIMIT})`);
        }
    }

    /** The server received the event `eventId` (INPUT_EVENT_ACK), and every one sent before. */
    confirm(eventId) {
        const id = Number(eventId);
        if (!Number.isFinite(id)) {
            return;
        }
        while (this.unconfirmed.length > 0 && this.unconfirmed[0].eventId <= id) {
            this.unconfirmed.shift();
        }
    }

    /**
     * RESUMED: the window is attached again, and the server received its input events up to
     * `lastReceived`. Returns the events to send, in order: those sent that the server did not
     * get, then the offline queue.
     */
    resumed(lastReceived) {
        this.resuming = false;
        this.confirm(lastReceived);
        const resend = this.unconfirmed;
        this.unconfirmed = [];
        const queue = this.queue;
        this.queue = [];
        this.dropped = 0;
        return [...resend, ...queue];
    }

    dropQueue() {
        if (this.queue.length > 0) {
            console.warn(`lona: window ${this.win.id} dropped ${this.queue.length} input event(s) made offline: its view is gone`);
        }
        this.queue = [];
        this.dropped = 0;
        this.unconfirmed = [];
    }
}
